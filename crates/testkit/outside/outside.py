#!/usr/bin/env python3
"""The outside world for duban's tests, on loopback: an SMTP server that receives mail and an
HTTP server that plays the 企业微信 and 钉钉 group robots, a signed webhook receiver and the
Aliyun and Tencent Cloud SMS APIs. Each endpoint checks its request the way the provider
documents it (shape and signature), computed here independently of duban's code, and can be
told to answer errors, rate limits or slowly.

Started by the tests: `python3 outside.py --secrets JSON`; it prints one line of JSON with its
ports, then serves until its standard input closes (so it dies with the test).

Control (HTTP): GET /_log (what was received), POST /_fail {"path": "/hook", "times": 2,
"status": 503}, POST /_delay {"path": "/hook", "ms": 3000}, POST /_minute_passed (the
robots' rate windows start again), POST /_reset.
Standard library only.
"""

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"log": [], "mail": [], "fail": {}, "delay": {}, "seen": set(), "robot": {}}
SECRETS = {}


def record(entry):
    with LOCK:
        STATE["log"].append(entry)


def pct(s):
    return urllib.parse.quote(s, safe="~")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: without this, Nagle's algorithm and the
    # client's delayed ACK add 40 ms to every answer.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, obj, headers=None):
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/_log":
            with LOCK:
                self.reply(200, {"http": STATE["log"], "mail": STATE["mail"]})
        else:
            self.reply(404, {})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if path.startswith("/_"):
            return self.control(path, raw)
        with LOCK:
            delay = STATE["delay"].get(path, 0)
            fail = STATE["fail"].get(path)
            if fail and fail["times"] > 0:
                fail["times"] -= 1
            else:
                fail = None
        if delay:
            time.sleep(delay / 1000)
        if fail:
            record({"path": path, "ok": False, "injected": fail["status"]})
            return self.reply(fail["status"], {"error": "injected"}, {"Retry-After": "1"})
        try:
            handler = {
                "/wecom/send": self.wecom,
                "/dingtalk/send": self.dingtalk,
                "/hook": self.hook,
                "/aliyun/": self.aliyun,
                "/tencent/": self.tencent,
            }[path]
        except KeyError:
            return self.reply(404, {"error": "no such endpoint"})
        handler(path, query, raw)

    def control(self, path, raw):
        body = json.loads(raw or b"{}")
        with LOCK:
            if path == "/_fail":
                STATE["fail"][body["path"]] = {"times": body["times"], "status": body["status"]}
            elif path == "/_delay":
                STATE["delay"][body["path"]] = body["ms"]
            elif path == "/_minute_passed":
                STATE["robot"] = {}
            elif path == "/_reset":
                STATE.update(log=[], mail=[], fail={}, delay={}, seen=set(), robot={})
        self.reply(200, {"ok": True})

    def robot_limited(self, robot):
        # 20 messages a minute per robot, as both providers document.
        now = time.time()
        with LOCK:
            times = [t for t in STATE["robot"].get(robot, []) if now - t < 60]
            limited = len(times) >= 20
            if not limited:
                times.append(now)
            STATE["robot"][robot] = times
        return limited

    def wecom(self, path, query, raw):
        body = json.loads(raw)
        text = body.get("text") or {}
        key = query.get("key", "")
        base = SECRETS.get("wecom_key")
        ok = (
            (key == base or key.startswith(f"{base}-"))
            and body.get("msgtype") == "text"
            and isinstance(text.get("content"), str)
            and text["content"] != ""
            and len(text["content"].encode()) <= 2048
            and isinstance(text.get("mentioned_mobile_list", []), list)
        )
        if not ok:
            record({"path": path, "ok": False, "body": body})
            return self.reply(200, {"errcode": 93000, "errmsg": "invalid webhook url or body"})
        if self.robot_limited(f"wecom:{key}"):
            record({"path": path, "ok": False, "limited": True})
            return self.reply(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
        record({"path": path, "ok": True, "content": text["content"],
                "mentions": text.get("mentioned_mobile_list", []), "robot": key})
        self.reply(200, {"errcode": 0, "errmsg": "ok"})

    def dingtalk(self, path, query, raw):
        secret = SECRETS.get("dingtalk_secret", "")
        ts = query.get("timestamp", "")
        mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
        # parse_qsl has already URL-decoded the sign.
        expected = base64.b64encode(mac).decode()
        fresh = ts.isdigit() and abs(time.time() * 1000 - int(ts)) < 3600 * 1000
        body = json.loads(raw)
        if query.get("access_token") != SECRETS.get("dingtalk_token") or query.get("sign") != expected or not fresh:
            record({"path": path, "ok": False, "why": "sign"})
            return self.reply(200, {"errcode": 310000, "errmsg": "sign not match"})
        if body.get("msgtype") != "text" or not body.get("text", {}).get("content"):
            record({"path": path, "ok": False, "body": body})
            return self.reply(200, {"errcode": 40035, "errmsg": "missing parameter"})
        if self.robot_limited(f"dingtalk:{query.get('access_token')}"):
            record({"path": path, "ok": False, "limited": True})
            return self.reply(200, {"errcode": 130101, "errmsg": "send too fast"})
        record({"path": path, "ok": True, "content": body["text"]["content"],
                "mentions": body.get("at", {}).get("atMobiles", [])})
        self.reply(200, {"errcode": 0, "errmsg": "ok"})

    def hook(self, path, query, raw):
        secret = SECRETS.get("webhook_secret", "")
        ts = self.headers.get("X-Duban-Timestamp", "")
        sig = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(sig, self.headers.get("X-Duban-Signature", "")):
            record({"path": path, "ok": False, "why": "signature"})
            return self.reply(401, {"error": "bad signature"})
        key = self.headers.get("Idempotency-Key", "")
        with LOCK:
            dup = key in STATE["seen"]
            STATE["seen"].add(key)
        body = json.loads(raw)
        if dup:
            record({"path": path, "ok": True, "key": key, "duplicate": True})
            return self.reply(409, {"error": "already received"})
        record({"path": path, "ok": True, "key": key, "event": body.get("event"),
                "title": body.get("title"), "to": body.get("to")})
        self.reply(200, {"received": key})

    def aliyun(self, path, query, raw):
        params = dict(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
        given = params.pop("Signature", "")
        canonical = "&".join(f"{pct(k)}={pct(v)}" for k, v in sorted(params.items()))
        to_sign = "POST&%2F&" + pct(canonical)
        key = (SECRETS.get("aliyun_secret", "") + "&").encode()
        expected = base64.b64encode(hmac.new(key, to_sign.encode(), hashlib.sha1).digest()).decode()
        required = ["AccessKeyId", "Action", "PhoneNumbers", "SignName", "TemplateCode",
                    "SignatureNonce", "Timestamp", "Version", "Format"]
        if given != expected or any(not params.get(k) for k in required) or params["Action"] != "SendSms":
            record({"path": path, "ok": False, "why": "signature"})
            return self.reply(200, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"})
        record({"path": path, "ok": True, "key": params.get("OutId"), "to": params["PhoneNumbers"],
                "param": json.loads(params.get("TemplateParam") or "{}")})
        self.reply(200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"})

    def tencent(self, path, query, raw):
        secret = SECRETS.get("tencent_key", "")
        ts = int(self.headers.get("X-TC-Timestamp", "0"))
        date = time.strftime("%Y-%m-%d", time.gmtime(ts))
        host = self.headers.get("Host", "")
        ctype = self.headers.get("Content-Type", "")
        canonical = (f"POST\n/\n\ncontent-type:{ctype}\nhost:{host}\n\ncontent-type;host\n"
                     + hashlib.sha256(raw).hexdigest())
        scope = f"{date}/sms/tc3_request"
        to_sign = f"TC3-HMAC-SHA256\n{ts}\n{scope}\n" + hashlib.sha256(canonical.encode()).hexdigest()

        def h(k, m):
            return hmac.new(k, m.encode(), hashlib.sha256).digest()

        k = h(h(h(("TC3" + secret).encode(), date), "sms"), "tc3_request")
        sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        auth = self.headers.get("Authorization", "")
        if (not auth.endswith("Signature=" + sig) or self.headers.get("X-TC-Action") != "SendSms"
                or self.headers.get("X-TC-Version") != "2021-01-11"):
            record({"path": path, "ok": False, "why": "signature"})
            return self.reply(200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                           "Message": "signature mismatch"}, "RequestId": "x"}})
        body = json.loads(raw)
        record({"path": path, "ok": True, "key": body.get("SessionContext"), "to": body["PhoneNumberSet"],
                "param": body.get("TemplateParamSet")})
        self.reply(200, {"Response": {"SendStatusSet": [
            {"SerialNo": "2028:1", "PhoneNumber": p, "Fee": 1, "SessionContext": body.get("SessionContext"),
             "Code": "Ok", "Message": "send success", "IsoCode": "CN"} for p in body["PhoneNumberSet"]],
            "RequestId": "a0aabda6"}})


class Smtp(asyncio.Protocol):
    """Just enough SMTP for a mail client: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT."""

    def connection_made(self, transport):
        self.t = transport
        self.buf = b""
        self.data = None
        self.mail = {"from": None, "to": [], "user": None}
        self.say("220 outside.test ESMTP")

    def say(self, line):
        self.t.write(line.encode() + b"\r\n")

    def data_received(self, chunk):
        self.buf += chunk
        while b"\r\n" in self.buf:
            line, self.buf = self.buf.split(b"\r\n", 1)
            if self.data is not None:
                if line == b".":
                    text = b"\r\n".join(self.data).decode("utf-8", "replace")
                    with LOCK:
                        STATE["mail"].append({**self.mail, "data": text})
                    self.data = None
                    self.mail = {"from": None, "to": [], "user": self.mail["user"]}
                    self.say("250 queued")
                else:
                    self.data.append(line[1:] if line.startswith(b"..") else line)
                continue
            self.command(line.decode("utf-8", "replace"))

    def command(self, line):
        verb = line.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            self.t.write(b"250-outside.test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n")
        elif verb == "AUTH":
            parts = line.split(" ")
            raw = base64.b64decode(parts[2]) if len(parts) > 2 else b""
            _, user, password = (raw.split(b"\0") + [b"", b"", b""])[:3]
            if user.decode() == SECRETS.get("smtp_user") and password.decode() == SECRETS.get("smtp_password"):
                self.mail["user"] = user.decode()
                self.say("235 authenticated")
            else:
                self.say("535 authentication failed")
        elif verb == "MAIL":
            self.mail["from"] = line[10:].strip()
            self.say("250 ok")
        elif verb == "RCPT":
            self.mail["to"].append(line[8:].strip())
            self.say("250 ok")
        elif verb == "DATA":
            self.data = []
            self.say("354 go ahead")
        elif verb == "RSET":
            self.mail = {"from": None, "to": [], "user": self.mail["user"]}
            self.say("250 ok")
        elif verb == "NOOP":
            self.say("250 ok")
        elif verb == "QUIT":
            self.say("221 bye")
            self.t.close()
        else:
            self.say("502 not implemented")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secrets", default="{}")
    args = ap.parse_args()
    SECRETS.update(json.loads(args.secrets))
    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    loop = asyncio.new_event_loop()
    smtp = loop.run_until_complete(loop.create_server(Smtp, "127.0.0.1", 0))
    threading.Thread(target=loop.run_forever, daemon=True).start()
    print(json.dumps({"http": http.server_address[1], "smtp": smtp.sockets[0].getsockname()[1]}), flush=True)
    # Serve until the test that started us closes our standard input.
    sys.stdin.read()


if __name__ == "__main__":
    main()
