<?php
// Fetches every URL in E2E_URLS once with PHP's https stream wrapper (the
// openssl extension, verify_peer on, no cafile: OpenSSL's default paths,
// which honour SSL_CERT_FILE and SSL_CERT_DIR), prints one RESULT line,
// then idles so trustform sees a running process until destroy stops it.
$want = "hello from trustform e2e";
$errors = [];
set_error_handler(function ($no, $msg) use (&$errors) {
    $errors[] = $msg;
    return true;
});
$codes = [];
$failed = null;
foreach (preg_split('/\s+/', trim(getenv("E2E_URLS"))) as $url) {
    $ctx = stream_context_create(['ssl' => ['verify_peer' => true, 'verify_peer_name' => true]]);
    $body = file_get_contents($url, false, $ctx);
    if ($body === false) {
        $failed = implode("; ", $errors);
        break;
    }
    if (trim($body) !== $want) {
        $failed = "unexpected body: " . $body;
        break;
    }
    $codes[] = "200";
}
if ($failed === null) {
    echo "RESULT ok " . implode(" ", $codes) . "\n";
} else {
    echo "RESULT fail " . str_replace("\n", " ", $failed) . "\n";
}
fflush(STDOUT);
sleep(3600);
