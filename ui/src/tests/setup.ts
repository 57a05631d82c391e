import "@testing-library/jest-dom/vitest";

import { cleanup } from "@testing-library/svelte";
import { afterEach } from "vitest";

// Vitest runs without globals, so testing-library cannot register its own cleanup.
afterEach(() => cleanup());
