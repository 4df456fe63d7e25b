"""Checks telegram-sandbox over HTTP with a client the kit did not write: Python's urllib.

    python3 sandbox_http_check.py BASE_URL TOKEN CHECK

runs one check (see CHECKS) against a fresh sandbox and exits 0 when it holds. On failure it
prints what was sent, what came back and what was expected, and exits 1.
"""
from http.client import IncompleteRead  # the module has its own http()
import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BASE, TOKEN, CHECK = sys.argv[1], sys.argv[2], sys.argv[3]
STEPS = []


class Failed(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise Failed(what)


def http(method, path, data=None, headers=None, timeout=60):
    """Answers (status, headers, parsed JSON body or raw text)."""
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers or {})
    STEPS.append(f"{method} {path.replace(TOKEN, '<token>')} {data[:200] if data else ''}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, head, body = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, head, body = error.code, dict(error.headers), error.read()
    text = body.decode("utf-8")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = text
    STEPS.append(f"  -> {status} {text[:300]}")
    return status, head, parsed


def api(method, params=None, http_method="POST", timeout=60):
    """A Bot API call with a form body (or a query string for GET)."""
    path = f"/bot{TOKEN}/{method}"
    if http_method == "GET":
        query = urllib.parse.urlencode(params or {})
        return http("GET", path + ("?" + query if query else ""), timeout=timeout)
    body = urllib.parse.urlencode(params or {}).encode()
    return http("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout)


def api_json(method, payload, content_type="application/json"):
    return http("POST", f"/bot{TOKEN}/{method}", json.dumps(payload).encode(), {"Content-Type": content_type})


def user_says(user_id, text, **fields):
    status, _, body = http("POST", f"/sandbox/users/{user_id}/messages",
                           json.dumps({"text": text, **fields}).encode(), {"Content-Type": "application/json"})
    expect(status == 200 and body["ok"], f"the sandbox should take a user's message, got {status} {body}")
    return body["result"]


def held_poll(wait=10):
    """The getUpdates the sandbox holds, waiting up to `wait` s for one: the fact to wait for, not a time."""
    return ok_result(http("GET", f"/sandbox/held-poll?timeout={wait}", timeout=wait + 30))


def wait_until(fact, what, seconds=10):
    """Asks until `fact()` holds: for the facts the sandbox shows but has no wait for."""
    deadline = time.monotonic() + seconds
    while not fact():
        expect(time.monotonic() < deadline, f"{what}, within {seconds} s")
        time.sleep(0.01)


def ok_result(answer):
    status, _, body = answer
    expect(status == 200, f"should have had HTTP 200, but it was {status}: {body}")
    expect(isinstance(body, dict) and body.get("ok") is True, f"should have had ok: true, got {body}")
    return body["result"]


def error_of(answer, code, description):
    status, head, body = answer
    expect(status == code, f"should have had HTTP {code}, but it was {status}: {body}")
    expect(body == {"ok": False, "error_code": code, "description": description}
           or (isinstance(body, dict) and body.get("ok") is False and body.get("error_code") == code
               and body.get("description") == description),
           f"should have had error {code} {description!r}, but it was {body}")
    expect(head.get("Content-Type", "").startswith("application/json"), f"errors are JSON, got {head}")
    return body


def in_thread(function):
    box = {}

    def run():
        started = time.monotonic()
        try:
            box["value"] = function()
        except Exception as error:  # noqa: BLE001 - reported by the caller
            box["error"] = error
        box["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


# --- checks -----------------------------------------------------------------------------------

def envelope_and_get_me():
    status, head, body = api("getMe", http_method="GET")
    expect(status == 200, f"getMe should answer 200, got {status}")
    expect(head.get("Content-Type", "").startswith("application/json"), f"JSON content type, got {head}")
    expect(list(body.keys())[:2] == ["ok", "result"], f"the envelope starts ok, result: {body}")
    me = body["result"]
    expect(me["is_bot"] is True and me["username"].endswith("bot"), f"getMe is the bot: {me}")
    expect(str(me["id"]) == TOKEN.split(":")[0], "the bot's id is the token's number")
    for field in ("can_join_groups", "can_read_all_group_messages", "supports_inline_queries"):
        expect(field in me, f"getMe has {field}")


def wrong_token_is_401():
    number = TOKEN.split(":")[0]
    error_of(http("GET", f"/bot{number}:AAAAwrongSecret/getMe"), 401, "Unauthorized")


def malformed_token_is_404():
    error_of(http("GET", "/botnot-a-token/getMe"), 404, "Not Found")
    error_of(http("GET", "/nothing/here"), 404, "Not Found")


def unknown_method_is_404():
    error_of(api("sendTelepathy"), 404, "Not Found: method not found")


def method_names_ignore_case():
    for name in ("getme", "GETME", "GetMe"):
        expect(ok_result(api(name))["is_bot"], f"{name} is getMe")


def parameters_from_query_string():
    user_says(501, "hi")
    sent = ok_result(http("GET", f"/bot{TOKEN}/sendMessage?chat_id=501&text=one+two%20three%21"))
    expect(sent["text"] == "one two three!", f"+ and %20 are spaces in a query: {sent}")
    # The query string counts on a POST too.
    sent = ok_result(http("POST", f"/bot{TOKEN}/sendMessage?chat_id=501", b"text=from+the+body",
                          {"Content-Type": "application/x-www-form-urlencoded"}))
    expect(sent["text"] == "from the body", f"query and body together: {sent}")


def parameters_from_urlencoded_form():
    user_says(502, "hi")
    sent = ok_result(api("sendMessage", {"chat_id": "502", "text": "héllo & = ?",
                                         "reply_markup": json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})}))
    expect(sent["text"] == "héllo & = ?", f"form values are decoded: {sent}")
    expect(sent["reply_markup"]["inline_keyboard"][0][0]["text"] == "A", f"reply_markup as a JSON string: {sent}")


def parameters_from_json_with_charset():
    user_says(503, "hi")
    for content_type in ("application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"):
        sent = ok_result(api_json("sendMessage", {"chat_id": 503, "text": "number id"}, content_type))
        expect(sent["chat"]["id"] == 503, f"{content_type}: chat_id as a number: {sent}")
    sent = ok_result(api_json("sendMessage", {"chat_id": "503", "text": "string id"}))
    expect(sent["chat"]["id"] == 503, f"chat_id as a string: {sent}")
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}
    as_object = ok_result(api_json("sendMessage", {"chat_id": 503, "text": "a", "reply_markup": markup}))
    as_string = ok_result(api_json("sendMessage", {"chat_id": 503, "text": "b", "reply_markup": json.dumps(markup)}))
    expect(as_object["reply_markup"] == as_string["reply_markup"] == markup,
           f"reply_markup as an object or a string: {as_object} {as_string}")
    # JSON null is the text "null", so a null parse_mode is refused as Telegram refuses it.
    error_of(api_json("sendMessage", {"chat_id": 503, "text": "x", "parse_mode": None}), 400,
             "Bad Request: unsupported parse_mode")


def parameters_from_multipart():
    user_says(504, "hi")
    boundary = "----sandbox-check-7MA4YWxkTrZu0gW"
    parts = []
    for name, value in (("chat_id", "504"), ("text", "multi\r\npart ✓")):
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    sent = ok_result(http("POST", f"/bot{TOKEN}/sendMessage", body,
                          {"Content-Type": f"multipart/form-data; boundary={boundary}"}))
    expect(sent["text"] == "multi\r\npart ✓", f"multipart fields: {sent!r}")


def send_message_validation():
    user_says(505, "hi")
    error_of(api("sendMessage", {"chat_id": "505"}), 400, "Bad Request: message text is empty")
    error_of(api("sendMessage", {"text": "hi"}), 400, "Bad Request: chat_id is empty")
    error_of(api("sendMessage", {"chat_id": "999999", "text": "hi"}), 400, "Bad Request: chat not found")
    error_of(api("sendMessage", {"chat_id": "505", "text": "x" * 4097}), 400, "Bad Request: message is too long")
    ok_result(api("sendMessage", {"chat_id": "505", "text": "x" * 4096}))
    error_of(api("sendMessage", {"chat_id": "505", "text": "hi", "parse_mode": "Markdown3"}), 400,
             "Bad Request: unsupported parse_mode")
    for mode in ("html", "HTML", "MarkdownV2", "markdown"):
        ok_result(api("sendMessage", {"chat_id": "505", "text": "plain", "parse_mode": mode}))
    error_of(api("sendMessage", {"chat_id": "505", "text": "<b>bold", "parse_mode": "HTML"}), 400,
             "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"")
    error_of(api("sendMessage", {"chat_id": "505", "text": "Hi!", "parse_mode": "MarkdownV2"}), 400,
             "Bad Request: can't parse entities: Character '!' is reserved and must be escaped with the preceding '\\'")
    error_of(api("sendMessage", {"chat_id": "505", "text": "hi", "reply_markup": "{not json"}), 400,
             "Bad Request: can't parse reply keyboard markup JSON object")
    sent = ok_result(api("sendMessage", {"chat_id": "505", "text": "<b>Hi</b> there", "parse_mode": "HTML"}))
    expect(sent["text"] == "Hi there" and sent["entities"] == [{"offset": 0, "length": 2, "type": "bold"}],
           f"HTML becomes entities: {sent}")
    expect(sent["from"]["is_bot"] is True and sent["chat"] == {"id": 505, "first_name": "User 505", "type": "private"},
           f"the result is the sent message: {sent}")


def offset_confirms_earlier_updates():
    ids = [user_says(600 + i, f"message {i}")["update_id"] for i in range(3)]
    expect(ids[0] != 1, f"update ids do not start at 1: {ids}")
    expect(ids == list(range(ids[0], ids[0] + 3)), f"update ids increase by one: {ids}")
    got = ok_result(api("getUpdates"))
    expect([u["update_id"] for u in got] == ids, f"all three pending: {got}")
    expect(got[0]["message"]["chat"]["id"] == 600 and got[0]["message"]["from"]["id"] == 600,
           "a private chat's id is the user's")
    got = ok_result(api("getUpdates", {"offset": ids[1]}))
    expect([u["update_id"] for u in got] == ids[1:], f"offset {ids[1]} starts there: {got}")
    got = ok_result(api("getUpdates"))
    expect([u["update_id"] for u in got] == ids[1:], f"the first is forgotten once confirmed: {got}")
    got = ok_result(api("getUpdates", {"offset": ids[2] + 1}))
    expect(got == [], f"all confirmed: {got}")
    expect(ok_result(api("getUpdates")) == [], "nothing comes back")


def negative_offset_keeps_the_last():
    ids = [user_says(700, f"m{i}")["update_id"] for i in range(5)]
    got = ok_result(api("getUpdates", {"offset": -2}))
    expect([u["update_id"] for u in got] == ids[-2:], f"offset -2 gives the last two: {got}")
    got = ok_result(api("getUpdates"))
    expect([u["update_id"] for u in got] == ids[-2:], f"the earlier ones are forgotten: {got}")


def limit_is_clamped():
    ids = [user_says(800, f"m{i}")["update_id"] for i in range(5)]
    for limit, count in (("0", 1), ("-7", 1), ("2", 2), ("1000", 5), ("abc", 1)):
        got = ok_result(api("getUpdates", {"limit": limit}))
        expect([u["update_id"] for u in got] == ids[:count], f"limit={limit} should give {count}: {got}")


def long_poll_answers_when_an_update_arrives():
    # Timeouts far above the margins: "at once" must not depend on how loaded the machine is.
    thread, box = in_thread(lambda: ok_result(api("getUpdates", {"timeout": "45"}, timeout=60)))
    held = held_poll()
    expect(held is not None and held["timeout"] == 45 and held["offset"] == 0, f"the poll is held: {held}")
    expect(thread.is_alive(), "the poll is held while nothing is pending")
    sent = user_says(900, "wake up")
    thread.join(40)
    expect(not thread.is_alive(), "the poll is answered")
    expect("error" not in box, f"no error: {box}")
    expect([u["update_id"] for u in box["value"]] == [sent["update_id"]], f"with the update: {box}")
    expect(box["seconds"] < 30, f"at once, not at the timeout of 45 s: {box['seconds']:.1f} s")


def long_poll_held_until_timeout():
    started = time.monotonic()
    got = ok_result(api("getUpdates", {"timeout": "2"}, timeout=30))
    seconds = time.monotonic() - started
    expect(got == [], f"nothing came: {got}")
    expect(1.8 <= seconds < 20, f"held about 2 s, was {seconds:.1f} s")
    started = time.monotonic()
    ok_result(api("getUpdates", {"timeout": "-5"}))
    expect(time.monotonic() - started < 1.8, "a negative timeout is 0, not held like the 2 s above")


def second_poll_ends_the_held_one_with_409():
    first, box = in_thread(lambda: api("getUpdates", {"timeout": "45"}, timeout=60))
    expect(held_poll() is not None, "the first poll is held")
    expect(first.is_alive(), "the first poll is held")
    second, box2 = in_thread(lambda: api("getUpdates", {"timeout": "2"}, timeout=60))
    first.join(40)
    expect(not first.is_alive(), "the held poll is ended by the second")
    error_of(box["value"], 409,
             "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
    expect(box["seconds"] < 30, f"at once, not at the timeout of 45 s: {box['seconds']:.1f} s")
    second.join(40)
    expect(box2["value"][0] == 200 and box2["value"][2]["result"] == [], f"the second poll goes on: {box2}")


def held_poll_is_reported():
    expect(held_poll(wait=0) is None, "no poll held before the bot polls")
    started = time.monotonic()
    expect(held_poll(wait=0.3) is None, "still none")
    expect(time.monotonic() - started >= 0.25, "a wait for one lasts up to its timeout, fractions allowed")
    ids = [user_says(950, "first")["update_id"]]
    ok_result(api("getUpdates", {"offset": ids[0] + 1, "timeout": "0"}))
    expect(held_poll(wait=0) is None, "a poll with timeout 0 is never held")
    waiter, found = in_thread(lambda: held_poll(wait=20))
    poll, box = in_thread(lambda: ok_result(api("getUpdates", {"offset": ids[0] + 1, "timeout": "15"}, timeout=40)))
    waiter.join(10)
    expect("value" in found and found["value"]["offset"] == ids[0] + 1 and found["value"]["timeout"] == 15,
           f"the wait ends when the poll is held, with its offset and timeout: {found}")
    expect(ok_result(http("GET", "/sandbox"))["held_poll"]["offset"] == ids[0] + 1, "GET /sandbox shows it too")
    user_says(950, "second")
    poll.join(10)
    expect(held_poll(wait=0) is None and ok_result(http("GET", "/sandbox"))["held_poll"] is None,
           "answered: no longer held")


def webhook_blocks_get_updates():
    error_of(api("setWebhook", {"url": "http://insecure.example/hook"}), 400,
             "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    status, _, body = api("setWebhook", {"url": "https://bot.example/hook"})
    expect(status == 200 and body == {"ok": True, "result": True, "description": "Webhook was set"}, f"{body}")
    error_of(api("getUpdates"), 409, "Conflict: can't use getUpdates method while webhook is active; "
             "use deleteWebhook to delete the webhook first")
    status, _, body = api("deleteWebhook")
    expect(body == {"ok": True, "result": True, "description": "Webhook was deleted"}, f"{body}")
    status, _, body = api("deleteWebhook")
    expect(body == {"ok": True, "result": True, "description": "Webhook is already deleted"}, f"{body}")
    ok_result(api("getUpdates"))


def commands_round_trip():
    commands = [{"command": "start", "description": "Say hello"}, {"command": "help", "description": "What I do"}]
    expect(ok_result(api_json("setMyCommands", {"commands": commands})) is True, "setMyCommands answers true")
    expect(ok_result(api("getMyCommands")) == commands, "getMyCommands gives them back")
    error_of(api_json("setMyCommands", {"commands": [{"command": "Bad Command", "description": "x"}]}), 400,
             "Bad Request: BOT_COMMAND_INVALID")
    error_of(api("setMyCommands", {"commands": "[{"}), 400, "Bad Request: can't parse commands JSON object")


def user_side_waits_for_the_bot():
    user_says(1000, "/start")
    thread, box = in_thread(lambda: http("GET", "/sandbox/chats/1000/messages?after=0&timeout=45", timeout=60))
    wait_until(lambda: 1000 in ok_result(http("GET", "/sandbox"))["awaited_chats"], "the sandbox shows the wait")
    expect(thread.is_alive(), "the wait is held")
    ok_result(api("sendMessage", {"chat_id": "1000", "text": "Hello!"}))
    thread.join(40)
    messages = ok_result(box["value"])
    expect([m["text"] for m in messages] == ["Hello!"], f"the bot's reply: {messages}")
    expect(box["seconds"] < 30, "at once, not at the timeout of 45 s")
    later = ok_result(http("GET", f"/sandbox/chats/1000/messages?after={messages[0]['message_id']}"))
    expect(later == [], f"nothing after it: {later}")


def requests_are_recorded_without_the_token():
    user_says(1100, "hi")
    api("sendMessage", {"chat_id": "1100", "text": f"echo {TOKEN}"})
    http("GET", f"/bot{TOKEN.split(':')[0]}:wrongSecretXYZ/getMe")
    status, _, body = http("GET", "/sandbox/requests")
    raw = json.dumps(body)
    expect(TOKEN not in raw and TOKEN.split(":")[1] not in raw, "no token in the log")
    expect("wrongSecretXYZ" not in raw, "nor a wrong one")
    methods = [(r["method"], r["status"]) for r in body["result"]]
    expect(methods == [("sendMessage", 200), ("getMe", 401)], f"both calls logged: {methods}")
    expect(body["result"][0]["path"] == "/bot<token>/sendMessage", f"{body['result'][0]}")
    descriptions = [r["description"] for r in body["result"]]
    expect(descriptions == [None, "Unauthorized"], f"an error is logged with its description: {descriptions}")


def faults_fail_the_next_calls():
    status, _, body = http("POST", "/sandbox/faults", json.dumps({"method": "getMe", "error_code": 429,
                                                                  "retry_after": 3, "count": 2}).encode())
    expect(status == 200 and body["ok"], f"fault taken: {body}")
    for _ in range(2):
        status, head, body = api("getMe")
        expect(status == 429 and body == {"ok": False, "error_code": 429,
                                          "description": "Too Many Requests: retry after 3",
                                          "parameters": {"retry_after": 3}}, f"429: {status} {body}")
        expect(head.get("Retry-After") == "3", f"Retry-After header: {head}")
    ok_result(api("getMe"))
    http("POST", "/sandbox/faults", json.dumps({"error_code": 500}).encode())
    error_of(api("getUpdates"), 500, "Internal Server Error")
    http("POST", "/sandbox/faults", json.dumps({"method": "getMe", "drop": True}).encode())
    try:
        api("getMe", timeout=10)
        raise Failed("a dropped connection gives no complete answer")
    except IncompleteRead:
        pass  # the headers came, then the connection broke
    except (urllib.error.URLError, ConnectionError, socket.timeout, OSError) as error:
        expect(not isinstance(error, urllib.error.HTTPError), f"no HTTP answer at all: {error!r}")
    ok_result(api("getMe"))


def bad_sandbox_input_gets_json_errors():
    cases = [
        ("POST", "/sandbox/users/abc/messages", b'{"text":"x"}', 400),
        ("POST", "/sandbox/users/-5/messages", b'{"text":"x"}', 400),
        ("POST", "/sandbox/users/7/messages", b"not json", 400),
        ("POST", "/sandbox/users/7/messages", b'["text"]', 400),
        ("POST", "/sandbox/users/7/messages", b'{"text": 5}', 400),
        ("POST", "/sandbox/users/7/messages", b'{"first_name": "Ann"}', 400),
        ("GET", "/sandbox/users/7/messages", None, 405),
        ("GET", "/sandbox/chats/x/messages", None, 400),
        ("GET", "/sandbox/chats/7/messages?timeout=soon", None, 400),
        ("GET", "/sandbox/held-poll?timeout=-1", None, 400),
        ("POST", "/sandbox/held-poll", None, 405),
        ("POST", "/sandbox/faults", b'{"error_code": 200}', 400),
        ("POST", "/sandbox/faults", b'{"method": "getMe"}', 400),
        ("POST", "/sandbox/faults", b'{"error_code": 500, "count": 0}', 400),
        ("GET", "/sandbox/nothing", None, 404),
    ]
    for method, path, body, code in cases:
        status, head, answer = http(method, path, body)
        expect(status == code, f"{method} {path} {body} should be {code}, was {status}: {answer}")
        expect(isinstance(answer, dict) and answer.get("ok") is False and answer.get("error_code") == code
               and answer.get("description"), f"a JSON error: {answer}")
    ok_result(http("GET", "/sandbox"))


CHECKS = {name: function for name, function in globals().items()
          if callable(function) and getattr(function, "__module__", None) == "__main__"
          and name not in {"expect", "http", "api", "api_json", "user_says", "ok_result", "error_of", "in_thread",
                           "held_poll", "wait_until", "Failed"}}

if __name__ == "__main__":
    if CHECK == "--list":
        print("\n".join(CHECKS))
        sys.exit(0)
    try:
        CHECKS[CHECK]()
    except Failed as failure:
        print(f"{CHECK} failed: {failure}\nsteps:\n" + "\n".join(STEPS))
        sys.exit(1)
    print(f"{CHECK}: ok ({len([s for s in STEPS if not s.startswith('  ')])} requests)")
