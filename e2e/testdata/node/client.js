// Fetches every URL in E2E_URLS once, prints one RESULT line, then idles so
// trustform sees a running process until destroy stops it.
const https = require('node:https');

const want = 'hello from trustform e2e';

function get(url) {
  return new Promise((resolve, reject) => {
    https.get(url, (res) => {
      let body = '';
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => {
        if (res.statusCode !== 200 || body.trim() !== want) {
          reject(new Error(`unexpected ${res.statusCode} ${body}`));
        } else {
          resolve(res.statusCode);
        }
      });
    }).on('error', reject);
  });
}

async function main() {
  const got = [];
  for (const url of process.env.E2E_URLS.split(' ')) got.push(await get(url));
  return got;
}

main().then(
  (got) => console.log(`RESULT ok ${got.join(' ')}`),
  (err) => console.log(`RESULT fail ${err.code || ''} ${err.message}`),
);
setInterval(() => {}, 1 << 30);
