// Fetches every URL in E2E_URLS once, prints one RESULT line, then idles so
// trustform sees a running process until destroy stops it.
const want = "hello from trustform e2e";
try {
  const got: number[] = [];
  for (const url of (Deno.env.get("E2E_URLS") ?? "").split(" ")) {
    const res = await fetch(url);
    const body = (await res.text()).trim();
    if (res.status !== 200 || body !== want) {
      throw new Error(`unexpected ${res.status} ${body}`);
    }
    got.push(res.status);
  }
  console.log(`RESULT ok ${got.join(" ")}`);
} catch (err) {
  // Deno 2 reports "TypeError: fetch failed"; the reason is in cause.
  const cause = err instanceof Error && err.cause ? `: ${err.cause}` : "";
  console.log(`RESULT fail ${err}${cause}`);
}
setInterval(() => {}, 1 << 30);
