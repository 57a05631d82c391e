import "./app.css";

import { mount } from "svelte";

import App from "./App.svelte";
import type { Backend } from "./lib/backend";
import { MockBackend } from "./lib/backend/mock";
import { TauriBackend, insideTauri } from "./lib/backend/tauri";

// Inside the Layover window: the real engine. In a plain browser, only when asked for
// (`?backend=mock`, used by page tests); otherwise the app says it needs its window.
function chooseBackend(): Backend | null {
  if (insideTauri()) return new TauriBackend();
  if (new URLSearchParams(window.location.search).get("backend") === "mock") {
    const mock = new MockBackend();
    // Page tests fill the mock before the app mounts (`page.addInitScript`) and read it after.
    const w = window as unknown as { __layoverMock?: MockBackend; __layoverMockSetup?: (m: MockBackend) => void };
    w.__layoverMockSetup?.(mock);
    w.__layoverMock = mock;
    return mock;
  }
  return null;
}

const target = document.getElementById("app");
if (target) {
  mount(App, { target, props: { backend: chooseBackend() } });
}
