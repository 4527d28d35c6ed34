"""A real XMPP client for integration tests (python3-slixmpp 1.8, run with /usr/bin/python3).

Logs in without TLS on loopback, sends each command as a direct message (type chat) to --to,
or with --room to that room (joined as --nick) for the occupant --to, waits for the reply to
each in turn and prints one JSON line per command on stdout:
{"ask": "!ip 192.0.2.1", "reply": "..."} (reply null after --timeout seconds).
Usage: chat-client.py --jid u@localhost/r --password pw --host 127.0.0.1 --port 5222
                      --to historian@localhost/mesh [--timeout 30] '!ip 192.0.2.1' ...
       chat-client.py ... --room events@rooms.localhost --nick u --to historian '!ip ...'
"""
import argparse
import asyncio
import json
import sys

import slixmpp


class Asker(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.replies = asyncio.Queue()
        self["feature_mechanisms"].unencrypted_plain = True
        self.register_plugin("xep_0045")
        self.add_event_handler("session_start", self.ask)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("failed_auth", lambda _: self.fail("authentication failed"))

    def fail(self, why):
        print(json.dumps({"error": why}), flush=True)
        self.disconnect()

    def on_message(self, msg):
        if self.args.room is None and msg["type"] in ("chat", "normal") and msg["body"]:
            self.replies.put_nowait(msg["body"])

    def on_groupchat(self, msg):
        # Only the bot's live answers: not room history, not other occupants.
        if msg["mucnick"] == self.args.to and not msg["delay"]["stamp"] and msg["body"]:
            self.replies.put_nowait(msg["body"])

    async def ask(self, _event):
        self.send_presence()
        if self.args.room is not None:
            self.add_event_handler("groupchat_message", self.on_groupchat)
            await self["xep_0045"].join_muc_wait(self.args.room, self.args.nick, maxstanzas=0)
        for command in self.args.commands:
            if self.args.room is None:
                self.send_message(mto=self.args.to, mbody=command, mtype="chat")
            else:
                self.send_message(mto=self.args.room, mbody=command, mtype="groupchat")
            try:
                reply = await asyncio.wait_for(self.replies.get(), self.args.timeout)
            except asyncio.TimeoutError:
                reply = None
            print(json.dumps({"ask": command, "reply": reply}), flush=True)
        self.disconnect()


def main():
    p = argparse.ArgumentParser()
    for name in ("--jid", "--password", "--host", "--to"):
        p.add_argument(name, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--room")
    p.add_argument("--nick", default="asker")
    p.add_argument("commands", nargs="+")
    args = p.parse_args()
    xmpp = Asker(args)
    xmpp.connect((args.host, args.port), use_ssl=False, force_starttls=False, disable_starttls=True)
    xmpp.loop.run_until_complete(xmpp.disconnected)
    return 0


if __name__ == "__main__":
    sys.exit(main())
