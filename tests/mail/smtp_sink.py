"""A real SMTP server for the e-mail tests: aiosmtpd on 127.0.0.1, writing each message it
receives into a folder as an .eml file (the raw message, after an X-Envelope-To line naming
the SMTP recipients), so tests read what a mail server would have been handed.

    python smtp_sink.py PORT FOLDER

It prints "ready" once it listens, and exits when its parent process goes away, so a test run
that is killed leaves no server behind.
"""

import os
import sys
import time
import uuid

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        name = "%d-%s.eml" % (time.time_ns(), uuid.uuid4().hex)
        tmp = os.path.join(self.folder, "." + name)
        with open(tmp, "wb") as f:
            f.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        # Renamed into place, so a reader never sees half a message.
        os.rename(tmp, os.path.join(self.folder, name))
        return "250 Message accepted"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    parent = os.getppid()
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while os.getppid() == parent:
            time.sleep(0.5)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
