# Usage: sh client.sh TOOL [TOOL ARGS...]
# Fetches every URL in $E2E_URLS with curl, wget or git (ls-remote), prints
# one line "RESULT <url>=ok|fail ..." and, for curl, the CA file and path it
# used ("TRUST CAfile=... CApath=..."), then idles until destroy stops it.
tool=$1
shift
line=""
first=1
for url in $E2E_URLS; do
  case $tool in
  curl)
    out=$(curl -sS --fail --max-time 20 "$@" "$url" 2>&1)
    ok=$?
    if [ $first = 1 ]; then
      trust=$(curl -sv --max-time 20 -o /dev/null "$@" "$url" 2>&1 | sed -n 's/^\*  *\(CAfile\|CApath\): *\(.*\)$/\1=\2/p' | tr '\n' ' ')
      echo "TRUST $trust"
    fi
    ;;
  wget)
    out=$(wget -q -O - --timeout=20 --tries=1 "$@" "$url" 2>&1)
    ok=$?
    ;;
  git)
    # The server is not a git server: a handshake that succeeds ends in a
    # protocol error, a rejected one in a certificate error.
    out=$(GIT_TERMINAL_PROMPT=0 git ls-remote "$url/repo.git" 2>&1)
    case $out in
    *certificate* | *CAfile* | *SSL* | *TLS*) ok=1 ;;
    *) ok=0 ;;
    esac
    ;;
  esac
  first=0
  if [ $ok = 0 ]; then
    line="$line $url=ok"
  else
    line="$line $url=fail"
    echo "ERROR $url: $out" | tr '\n' ' '
    echo
  fi
done
echo "RESULT$line"
exec sleep 3600
