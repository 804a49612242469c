import { describe, expect, it } from "vitest";
import { countRemoteReferences, toBlockedRemotePreview, toPreviewCsp } from "./html-preview.ts";

describe("toBlockedRemotePreview", () => {
  it("puts the CSP first so it governs everything after it", () => {
    const out = toBlockedRemotePreview("<p>hi</p>", "http://127.0.0.1:8025");
    expect(out.startsWith('<meta http-equiv="Content-Security-Policy"')).toBe(true);
    expect(out).toContain("img-src http://127.0.0.1:8025 data:");
    expect(out).toContain('<base target="_blank">');
    expect(out.endsWith("<p>hi</p>")).toBe(true);
  });

  it("keeps a doctype in front so the document keeps its mode", () => {
    const out = toBlockedRemotePreview("<!DOCTYPE html><html><body>x</body></html>", "http://a");
    expect(out.startsWith("<!DOCTYPE html><meta")).toBe(true);
  });

  it("allows no scripts, no remote loads and no base rewriting", () => {
    const csp = toPreviewCsp("http://a");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("script-src");
    expect(csp).not.toMatch(/https?:(?!\/\/a)/);
    expect(csp).toContain("base-uri 'none'");
  });

  it("parses in a browser with the meta element in <head>", () => {
    const out = toBlockedRemotePreview(
      "<html><head><title>t</title></head><body>b</body></html>",
      "http://a",
    );
    const doc = new DOMParser().parseFromString(out, "text/html");
    expect(doc.head.querySelector('meta[http-equiv="Content-Security-Policy"]')).not.toBeNull();
    expect(doc.head.querySelector("title")?.textContent).toBe("t");
  });
});

describe("countRemoteReferences", () => {
  it("counts remote images and backgrounds, not local or data: ones", () => {
    const html = `<img src="https://t.example/p.gif"><img src='//cdn.example/a.png'><img src="/api/messages/1/parts/2">
      <img src="data:image/png;base64,xx"><td background="http://x/bg.png"><div style="background:url('https://x/y.png')">`;
    expect(countRemoteReferences(html)).toBe(4);
    expect(countRemoteReferences("<p>see https://example.com</p>")).toBe(0);
  });
});
