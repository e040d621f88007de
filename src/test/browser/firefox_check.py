"""A check of the dashboard in Firefox, by hand (not part of the test command): Debian's firefox-esr driven through
its own Marionette protocol (length-prefixed JSON over TCP), as no geckodriver is packaged.

    java -jar target/greenlight.jar            # the demo, in another terminal
    python3 src/test/browser/firefox_check.py http://127.0.0.1:8080 <the demo's token> [screenshot.png]

It signs in, deploys 1.1.0 to production through the dashboard's dialog, follows the deployment page to its end,
and opens the metrics and audit views; it prints what it saw and exits non-zero on anything missing."""
import json, socket, subprocess, sys, tempfile, time, os

class Marionette:
    def __init__(self, port):
        for _ in range(100):
            try:
                self.s = socket.create_connection(("127.0.0.1", port)); break
            except OSError: time.sleep(0.2)
        self.buf = b""; self.id = 0
        self.read()  # hello
    def read(self):
        while b":" not in self.buf: self.buf += self.s.recv(65536)
        n, rest = self.buf.split(b":", 1); n = int(n)
        while len(rest) < n: rest += self.s.recv(65536)
        self.buf = rest[n:]
        return json.loads(rest[:n])
    def cmd(self, name, params=None):
        self.id += 1
        msg = json.dumps([0, self.id, name, params or {}]).encode()
        self.s.sendall(str(len(msg)).encode() + b":" + msg)
        r = self.read()
        if r[2]: raise RuntimeError(f"{name}: {r[2]}")
        return r[3]
    def js(self, script, *args):
        return self.cmd("WebDriver:ExecuteScript", {"script": script, "args": list(args)})["value"]

def wait(m, script, timeout=60, *args):
    end = time.time() + timeout
    while time.time() < end:
        v = m.js(script, *args)
        if v: return v
        time.sleep(0.2)
    raise RuntimeError("timed out: " + script)

base, token = sys.argv[1], sys.argv[2]
out = sys.argv[3] if len(sys.argv) > 3 else "target/screenshots/firefox-dashboard.png"
profile = tempfile.mkdtemp()
open(os.path.join(profile, "user.js"), "w").write('user_pref("marionette.port", 2828);\n')
ff = subprocess.Popen(["firefox-esr", "--headless", "--marionette", "--no-remote", "--profile", profile],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    m = Marionette(2828)
    caps = m.cmd("WebDriver:NewSession", {"capabilities": {}})
    print("browser:", caps["capabilities"]["browserName"], caps["capabilities"]["browserVersion"])
    m.cmd("WebDriver:Navigate", {"url": base + "/"})
    wait(m, "return document.querySelector('#token') !== null")
    m.js("document.querySelector('#token').value = arguments[0]; document.querySelector('#signin').requestSubmit();", token)
    txt = wait(m, "const e = document.querySelector(\"[data-environment='shop/production']\"); return e ? e.textContent : null;")
    print("environments card:", txt[:160])
    # deploy from the dashboard through its dialog
    m.js("document.querySelector(\"[data-environment='shop/production'] [data-action='deploy']\").click();")
    wait(m, "return document.querySelector('#confirm').open")
    m.js("document.querySelector('#field-version').value = '1.1.0'; document.querySelector('#confirm-form').requestSubmit();")
    wait(m, "return /#\\/deployments\\/\\d+$/.test(location.hash)")
    status = wait(m, "const b = document.querySelector('#deployment-status .badge'); return b && ['succeeded','failed','rolled_back'].includes(b.dataset.status) ? b.dataset.status : null;", 90)
    bars = m.js("return document.querySelectorAll('#timeline rect.step').length")
    print("deployment:", m.js("return location.hash"), status, "timeline bars:", bars)
    if status != "succeeded" or not bars: raise SystemExit("the release did not show as succeeded with its timeline")
    m.cmd("WebDriver:Navigate", {"url": base + "/#/metrics"})
    charts = wait(m, "return document.querySelectorAll('svg.chart').length >= 4 ? document.querySelectorAll('svg.chart').length : null")
    print("metrics charts:", charts, "kpi total:", m.js("return document.querySelector(\"[data-kpi='total'] .value\").textContent"))
    m.cmd("WebDriver:Navigate", {"url": base + "/#/audit"})
    rows = wait(m, "const t = document.querySelector('#audit tbody'); return t && t.children.length ? t.children.length : null")
    print("audit rows:", rows)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    shot = m.cmd("WebDriver:TakeScreenshot", {"full": False})["value"]
    import base64; open(out, "wb").write(base64.b64decode(shot))
    print("ok")
finally:
    ff.terminate()
