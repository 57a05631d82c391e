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
  if (new URLSearchParams(window.location.search).get("backend") === "mock") return new MockBackend();
  return null;
}

const target = document.getElementById("app");
if (target) {
  mount(App, { target, props: { backend: chooseBackend() } });
}
