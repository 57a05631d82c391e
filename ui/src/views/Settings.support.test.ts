import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { MOCK_INFO, MockBackend } from "../lib/backend/mock";
import Settings from "./Settings.svelte";

describe("Settings > About", () => {
  it("exports a diagnostics bundle and says where it went", async () => {
    const backend = new MockBackend();
    const user = userEvent.setup();
    render(Settings, { props: { backend, settings: backend.settings, info: MOCK_INFO, onchange: () => {} } });
    await user.click(screen.getByRole("button", { name: "Export diagnostics" }));
    expect(await screen.findByText(/layover-diagnostics-1800000000\.zip/)).toBeInTheDocument();
    expect(backend.support.calls).toEqual(["exportDiagnostics"]);
  });

  it("sets the renew window and notifications", async () => {
    const backend = new MockBackend();
    const changes: unknown[] = [];
    const user = userEvent.setup();
    render(Settings, { props: { backend, settings: backend.settings, info: MOCK_INFO, onchange: (s) => changes.push(s) } });
    await user.selectOptions(screen.getByLabelText(/Renew licenses this long/), "7");
    await user.click(screen.getByLabelText(/Notify me when a title/));
    expect(backend.settings.renew_window_days).toBe(7);
    expect(backend.settings.notifications).toBe(false);
    expect(changes).toHaveLength(2);
  });

  it("checks for updates only when asked and says what it found, in words", async () => {
    const backend = new MockBackend();
    const user = userEvent.setup();
    render(Settings, { props: { backend, settings: backend.settings, info: MOCK_INFO, onchange: () => {} } });
    expect(backend.support.calls).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Check for updates" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("never looks for updates");

    backend.support.update = {
      current_version: "0.0.0-mock",
      available: "0.2.0",
      notes: "Faster downloads.",
      message: "Layover 0.2.0 is available (this is 0.0.0-mock). Install it to restart into it.",
    };
    await user.click(screen.getByRole("button", { name: "Check for updates" }));
    expect(await screen.findByText(/Layover 0.2.0 is available/)).toBeInTheDocument();
    expect(screen.getByText("Faster downloads.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Install 0.2.0 and restart" }));
    expect(backend.support.calls).toEqual(["checkForUpdates", "checkForUpdates", "installUpdate"]);
  });
});
