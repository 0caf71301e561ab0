// A real SMTP server (nodemailer's smtp-server) for the delivery tests: it
// requires AUTH (user / secret), accepts every message and prints each as one
// JSON line on stdout: {"from", "to", "raw"}. The first line is {"port": N}.
// SMTP_TLS=none (default) | starttls | tls, with SMTP_CERT and SMTP_KEY (PEM
// files) for the last two. Usage: node smtp-sink.mjs
import { readFileSync } from "node:fs";
import { SMTPServer } from "smtp-server";

const mode = process.env.SMTP_TLS ?? "none";
const tls = mode === "none" ? {} : { cert: readFileSync(process.env.SMTP_CERT), key: readFileSync(process.env.SMTP_KEY) };

const server = new SMTPServer({
  ...tls,
  secure: mode === "tls",
  disabledCommands: mode === "none" ? ["STARTTLS"] : [],
  // Over plain SMTP only when the test asks for it; otherwise AUTH needs TLS.
  allowInsecureAuth: mode === "none",
  authMethods: ["PLAIN", "LOGIN"],
  onAuth(auth, session, cb) {
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
        secure: !!session.secure,
        raw: Buffer.concat(chunks).toString("utf8"),
      };
      process.stdout.write(JSON.stringify(line) + "\n");
      cb();
    });
  },
  logger: false,
});
// A client refusing our certificate is a test passing, not a crash.
server.on("error", () => {});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.server.address().port }) + "\n");
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
