import { cleanup } from "@testing-library/react";
import { afterEach, vi } from "vitest";

// Component tests never touch the network: each test stubs fetch (and WebSocket when it needs one).
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});
