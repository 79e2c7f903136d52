"""A real SMTP server for the mail tests (aiosmtpd): listens on 127.0.0.1, a free port,
prints that port on the first line, and writes each message it accepts as
N.json ({"mail_from", "rcpt_tos", "data"}) into the folder given as the only argument.
It stops when its stdin closes, so it never outlives the test that started it."""

import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.original_content.decode("utf-8", "replace"),
        }
        # Written before "250": once the client hears OK, the file is there, whole.
        temporary = os.path.join(self.folder, f".{self.count}.tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(temporary, os.path.join(self.folder, f"{self.count}.json"))
        return "250 OK"


async def main(folder):
    loop = asyncio.get_running_loop()
    sink = Sink(folder)
    server = await loop.create_server(lambda: SMTP(sink), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main(sys.argv[1]))
