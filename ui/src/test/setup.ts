// jsdom has no layout: give every element a size so the virtualised queue renders rows.
import { cleanup, configure } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 700 });
Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 420 });
Object.defineProperty(HTMLElement.prototype, "offsetHeight", { configurable: true, get: () => 700 });
Object.defineProperty(HTMLElement.prototype, "offsetWidth", { configurable: true, get: () => 420 });

// CI machines are slower and busier than a laptop: findBy*/waitFor wait up to 5 s (a test that
// should pass still passes at once; one that should fail still fails, only later).
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  clearMocks();
});
