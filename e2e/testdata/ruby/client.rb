# Fetches every URL in E2E_URLS once, prints one RESULT line, then idles so
# trustform sees a running process until destroy stops it.
require "net/https"

$stdout.sync = true
want = "hello from trustform e2e"
begin
  got = ENV.fetch("E2E_URLS").split.map do |url|
    res = Net::HTTP.get_response(URI(url))
    raise "unexpected #{res.code} #{res.body}" unless res.code == "200" && res.body.strip == want
    res.code
  end
  puts "RESULT ok #{got.join(" ")}"
rescue StandardError => e
  puts "RESULT fail #{e.class}: #{e.message}"
end
sleep 3600
