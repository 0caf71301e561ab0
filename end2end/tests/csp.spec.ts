import { test as base } from "@playwright/test";
import { expect, open } from "./helpers";

// Not the helpers' `test`: this one provokes console errors on purpose.
base("the browser enforces the Content-Security-Policy: the page hydrates, injected scripts do not run", async ({ page }) => {
  const refused: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && m.text().includes("Content Security Policy")) refused.push(m.text());
  });
  // The page's own nonce-carrying scripts run: it hydrates.
  await open(page, "/sign-in");
  expect(refused, "the page's own scripts").toEqual([]);

  // What an injection would add runs nowhere: an inline script, an inline
  // handler, a script from another origin.
  await page.evaluate(() => {
    const inline = document.createElement("script");
    inline.textContent = "window.__injected = 'inline';";
    document.body.append(inline);
    const img = document.createElement("img");
    img.setAttribute("src", "/favicon.svg");
    img.setAttribute("onload", "window.__injected = 'handler';");
    document.body.append(img);
    const foreign = document.createElement("script");
    foreign.src = "http://localhost:9/evil.js";
    document.body.append(foreign);
  });
  await expect.poll(() => refused.length).toBeGreaterThanOrEqual(3);
  expect(await page.evaluate(() => (window as { __injected?: string }).__injected)).toBeUndefined();
  // Nor can another site frame the page.
  const csp = (await page.request.get("/sign-in")).headers()["content-security-policy"];
  expect(csp).toContain("frame-ancestors 'none'");
});
