"""Fetches every URL in E2E_URLS once, prints one RESULT line, then idles so
trustform sees a running process until destroy stops it.

E2E_HTTP selects the client: urllib (default), requests, or both.
E2E_STRICT=1 verifies as Python 3.13 does (VERIFY_X509_STRICT).
"""
import os
import ssl
import time
import urllib.request

WANT = "hello from trustform e2e"


def with_urllib(url):
    ctx = ssl.create_default_context()
    if os.environ.get("E2E_STRICT") == "1":
        ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    with urllib.request.urlopen(url, context=ctx, timeout=20) as res:
        return res.status, res.read().decode()


def with_requests(url):
    import requests

    res = requests.get(url, timeout=20)
    return res.status_code, res.text


CLIENTS = {
    "urllib": [with_urllib],
    "requests": [with_requests],
    "both": [with_urllib, with_requests],
}


def main():
    got = []
    for url in os.environ["E2E_URLS"].split():
        for get in CLIENTS[os.environ.get("E2E_HTTP", "urllib")]:
            status, body = get(url)
            if status != 200 or body.strip() != WANT:
                raise RuntimeError(f"unexpected {status} {body!r}")
            got.append(f"{get.__name__}:{status}")
    return got


try:
    print("RESULT ok " + " ".join(main()), flush=True)
except Exception as err:  # the test reads the reason from the log
    print(f"RESULT fail {type(err).__name__}: {err}", flush=True)
time.sleep(3600)
