#!/usr/bin/env python3
"""Staleness of the gateway's cache: a status change is written straight to commitments (as
another gateway instance would, with the internal JWT), then the gateway is polled until it
serves the new status. Eviction travels commitments -> Marten subscription -> RabbitMQ ->
gateway consumer. Prints p50/p99 in milliseconds."""
import base64, hashlib, hmac, json, statistics, sys, time, urllib.request

gateway, commitments, key, pledge, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])

def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def jwt(name: str) -> str:
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"iss": "r2p-gateway", "aud": "r2p-services", "name": name, "role": "editor",
                             "iat": now, "nbf": now, "exp": now + 60}).encode())
    signature = b64(hmac.new(key.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest())
    return f"{header}.{claims}.{signature}"

def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r), r.headers.get("ETag")

samples = []
for i in range(rounds):
    pledge_state, etag = get(f"{commitments}/api/pledges/{pledge}")
    get(f"{gateway}/api/pledges/{pledge}")  # make sure the gateway has it cached
    target = "Stalled" if pledge_state["status"] != "Stalled" else "InTheWorks"
    body = json.dumps({"status": target, "reason": "bench", "evidence": [{"title": "bench"}]}).encode()
    request = urllib.request.Request(f"{commitments}/api/pledges/{pledge}/status", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "If-Match": etag,
                                              "Authorization": "Bearer " + jwt("bench")})
    urllib.request.urlopen(request, timeout=5).read()
    written = time.perf_counter()
    while True:
        state, _ = get(f"{gateway}/api/pledges/{pledge}")
        if state["status"] == target:
            samples.append((time.perf_counter() - written) * 1000)
            break
        time.sleep(0.002)
        if time.perf_counter() - written > 10:
            samples.append(10_000.0)
            break
    time.sleep(0.05)

samples.sort()
p50 = statistics.median(samples)
p99 = samples[min(len(samples) - 1, int(round(0.99 * len(samples))) - 1)]
print(json.dumps({"rounds": rounds, "p50_ms": round(p50, 1), "p99_ms": round(p99, 1), "max_ms": round(samples[-1], 1)}))
