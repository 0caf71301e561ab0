// better-auth with its two-factor plugin on SQLite: the peer scripts/bench.sh
// measures against (same machine, same run, loopback only). Not shipped.
import http from "node:http";
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { twoFactor } from "better-auth/plugins/two-factor";
import { toNodeHandler } from "better-auth/node";
import { getMigrations } from "better-auth/db/migration";

const port = Number(process.env.PORT ?? 3300);
const auth = betterAuth({
  database: new Database(process.env.DB ?? "better-auth.db"),
  baseURL: `http://127.0.0.1:${port}`,
  secret: "bench-secret-bench-secret-bench-secret-0123456789",
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  plugins: [twoFactor({ skipVerificationOnEnable: true })],
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
http.createServer(toNodeHandler(auth)).listen(port, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${port}`));
