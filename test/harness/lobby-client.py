"""An operator's XMPP client in the lobby, for integration tests (python3-slixmpp, /usr/bin/python3).

Logs in without TLS on loopback, joins --room as --nick, then runs each step given as a JSON
argument, in turn:
  {"say": "!status", "until": ["tagger", "historian"]}       groupchat to the room
  {"chat": "historian@localhost", "say": "!status", "until": ["historian@localhost"]}
A step collects every live reply (groupchat bodies from other occupants, chat bodies from
anyone) until each name in "until" (a nick, or a bare JID for chat) has answered, or --timeout
seconds pass. Prints one JSON line per step on stdout:
  {"say": "!status", "replies": [{"from": "tagger", "body": "..."}], "complete": true}
Replies that arrive during a step belong to it: a late answer to an earlier step shows up in
the next one, which is how a test sees that a command got no reply.
Usage: lobby-client.py --jid u@localhost/r --password pw --host 127.0.0.1 --port 5222
                       --room lobby@rooms.localhost --nick u [--timeout 30] STEP...
"""
import argparse
import asyncio
import json
import sys

import slixmpp


class Operator(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.replies = asyncio.Queue()
        self["feature_mechanisms"].unencrypted_plain = True
        self.register_plugin("xep_0045")
        self.add_event_handler("session_start", self.run)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("groupchat_message", self.on_groupchat)
        self.add_event_handler("failed_auth", lambda _: self.fail("authentication failed"))

    def fail(self, why):
        print(json.dumps({"error": why}), flush=True)
        self.disconnect()

    def on_message(self, msg):
        if msg["type"] in ("chat", "normal") and msg["body"]:
            self.replies.put_nowait((msg["from"].bare, msg["body"]))

    def on_groupchat(self, msg):
        if msg["mucroom"] != self.args.room or msg["delay"]["stamp"] or not msg["body"]:
            return
        if msg["mucnick"] != self.args.nick:
            self.replies.put_nowait((msg["mucnick"], msg["body"]))

    async def step(self, step):
        if "chat" in step:
            self.send_message(mto=step["chat"], mbody=step["say"], mtype="chat")
        else:
            self.send_message(mto=self.args.room, mbody=step["say"], mtype="groupchat")
        waiting = set(step.get("until", []))
        got = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + step.get("timeout", self.args.timeout)
        while waiting:
            left = deadline - loop.time()
            if left <= 0:
                break
            try:
                sender, body = await asyncio.wait_for(self.replies.get(), left)
            except asyncio.TimeoutError:
                break
            got.append({"from": sender, "body": body})
            waiting.discard(sender)
        return {"say": step["say"], "replies": got, "complete": not waiting}

    async def run(self, _event):
        self.send_presence()
        await self["xep_0045"].join_muc_wait(self.args.room, self.args.nick, maxstanzas=0)
        for step in self.args.steps:
            print(json.dumps(await self.step(json.loads(step))), flush=True)
        self.disconnect()


def main():
    p = argparse.ArgumentParser()
    for name in ("--jid", "--password", "--host", "--room", "--nick"):
        p.add_argument(name, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("steps", nargs="+")
    args = p.parse_args()
    xmpp = Operator(args)
    xmpp.connect((args.host, args.port), use_ssl=False, force_starttls=False, disable_starttls=True)
    xmpp.loop.run_until_complete(xmpp.disconnected)
    return 0


if __name__ == "__main__":
    sys.exit(main())
