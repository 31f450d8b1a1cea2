# Fetches every URL in $E2E_URLS with curl, prints one RESULT line, then idles
# until destroy stops it.
got=""
for url in $E2E_URLS; do
  if ! body=$(curl -sS --fail --max-time 20 "$url" 2>&1); then
    echo "RESULT fail $body"
    exec sleep 3600
  fi
  got="$got 200"
done
echo "RESULT ok$got"
exec sleep 3600
