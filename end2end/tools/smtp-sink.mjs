// A real SMTP server (nodemailer's smtp-server) for the delivery tests: it
// requires AUTH (user / secret), accepts every message and prints each as one
// JSON line on stdout: {"from", "to", "raw"}. The first line is
// {"port": N}. Usage: node smtp-sink.mjs
import { SMTPServer } from "smtp-server";

const server = new SMTPServer({
  secure: false,
  disabledCommands: ["STARTTLS"],
  allowInsecureAuth: true,
  authMethods: ["PLAIN", "LOGIN"],
  onAuth(auth, _session, cb) {
    if (auth.username === "user" && auth.password === "secret") cb(null, { user: "user" });
    else cb(new Error("Invalid username or password"));
  },
  onData(stream, session, cb) {
    const chunks = [];
    stream.on("data", (c) => chunks.push(c));
    stream.on("end", () => {
      const line = {
        from: session.envelope.mailFrom && session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        raw: Buffer.concat(chunks).toString("utf8"),
      };
      process.stdout.write(JSON.stringify(line) + "\n");
      cb();
    });
  },
  logger: false,
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.server.address().port }) + "\n");
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
