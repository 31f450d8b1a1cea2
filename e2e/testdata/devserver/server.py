"""HTTPS server for the developer certificate test: answers the e2e greeting
on 127.0.0.1:PORT with the certificate and key given as arguments."""
import http.server
import ssl
import sys

port, cert_file, key_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from trustform e2e\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert_file, key_file)
server = http.server.HTTPServer(("127.0.0.1", port), Hello)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(f"serving on 127.0.0.1:{port}", flush=True)
server.serve_forever()
