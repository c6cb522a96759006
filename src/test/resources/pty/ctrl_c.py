"""Runs a command on a pseudo-terminal and types Ctrl-C into it, as a user at a terminal would.

Usage: python3 ctrl_c.py RESULTS ROWS TIMEOUT -- COMMAND...

Starts COMMAND as the foreground process group of a new pseudo-terminal, waits until the file
RESULTS has at least ROWS lines after its header, then writes the terminal's interrupt character
(^C) to it: the terminal driver sends SIGINT to the whole foreground group, launcher filters
included. Reads the terminal until every process has closed it, then prints what the terminal
showed, and a last line 'EXIT <status> SENT <0|1>' (status as the shell gives it: 130 after
SIGINT). After TIMEOUT seconds the group is killed and the status is reported as it is.
Used by org.prefixmoe.cli.CtrlCUnderTerminalTest.
"""
import os
import pty
import select
import signal
import sys
import time


def rows(path):
    try:
        with open(path, "rb") as f:
            return max(0, f.read().count(b"\n") - 1)
    except OSError:
        return 0


def main():
    sep = sys.argv.index("--")
    results, want, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    command = sys.argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    out = b""
    start = time.monotonic()
    sent = False
    killed = False
    while True:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: every process closed the terminal
                break
            if not data:
                break
            out += data
        if not sent and rows(results) >= want:
            os.write(fd, b"\x03")
            sent = True
        if not killed and time.monotonic() - start > timeout:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            killed = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode("utf-8", "replace"))
    sys.stdout.write("\nEXIT %d SENT %d%s\n" % (os.waitstatus_to_exitcode(status) if not os.WIFSIGNALED(status)
                                                else 128 + os.WTERMSIG(status), int(sent),
                                                " TIMEOUT" if killed else ""))


main()
