// Fetches E2E_URL once through the proxy in HTTPS_PROXY, the way
// proxy-aware clients do: CONNECT to the proxy, then TLS to the server
// inside the tunnel, verified with Node's default trust (its built-in
// roots plus NODE_EXTRA_CA_CERTS, which trustform sets). Prints one RESULT
// line, then idles so trustform sees a running process until destroy.
const http = require('node:http');
const https = require('node:https');
const tls = require('node:tls');

const want = 'hello from trustform e2e';

function tunnel(proxy, host, port) {
  return new Promise((resolve, reject) => {
    const target = `${host}:${port}`;
    http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: target, headers: { host: target } })
      .on('connect', (res, socket) => {
        if (res.statusCode !== 200) {
          socket.destroy();
          reject(new Error(`proxy answered CONNECT with ${res.statusCode}`));
          return;
        }
        resolve(socket);
      })
      .on('error', reject)
      .end();
  });
}

async function get(url) {
  const u = new URL(url);
  const proxy = new URL(process.env.HTTPS_PROXY);
  const socket = await tunnel(proxy, u.hostname, u.port || 443);
  return new Promise((resolve, reject) => {
    // The agent's own connection, TLS with Node's default trust, runs
    // inside the tunnel instead of over a new TCP connection.
    const agent = new https.Agent({ keepAlive: false });
    agent.createConnection = (options) => tls.connect({ ...options, socket });
    https.get(url, { agent }, (res) => {
      let body = '';
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => {
        if (res.statusCode !== 200 || body.trim() !== want) {
          reject(new Error(`unexpected ${res.statusCode} ${body}`));
        } else {
          resolve(`${res.statusCode} issuer=${res.socket.getPeerCertificate().issuer.CN}`);
        }
      });
    }).on('error', reject);
  });
}

get(process.env.E2E_URL).then(
  (got) => console.log(`RESULT ok ${got}`),
  (err) => console.log(`RESULT fail ${err.code || ''} ${err.message}`),
);
setInterval(() => {}, 1 << 30);
