import { describe, expect, it } from "vitest";
import { HTML_BODY_CSP, rewriteCidReferences } from "./html-body.ts";

describe("rewriteCidReferences", () => {
  it("rewrites cid: in attributes and CSS url(), encoding the content id", () => {
    const html = `<img src="cid:logo@x"><td background='cid:bg%40y'><div style="background:url(cid:z)">`;
    expect(rewriteCidReferences(html, "M1")).toBe(
      `<img src="/api/messages/M1/parts/logo%40x"><td background='/api/messages/M1/parts/bg%40y'>` +
        `<div style="background:url(/api/messages/M1/parts/z)">`,
    );
  });

  it("leaves the word cid: in text alone", () => {
    expect(rewriteCidReferences("<p>see cid:abc in the spec</p>", "M1")).toBe(
      "<p>see cid:abc in the spec</p>",
    );
  });
});

describe("HTML_BODY_CSP", () => {
  it("allows no scripts and sandboxes the document", () => {
    const directives = HTML_BODY_CSP.split("; ");
    expect(directives).toContain("default-src 'none'");
    expect(directives.some((d) => d.startsWith("script-src"))).toBe(false);
    const sandbox = directives.find((d) => d.startsWith("sandbox"));
    expect(sandbox).toBeDefined();
    expect(sandbox).not.toContain("allow-scripts");
    expect(sandbox).not.toContain("allow-same-origin");
  });
});
