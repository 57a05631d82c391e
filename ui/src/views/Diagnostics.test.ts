import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { MockBackend } from "../lib/backend/mock";
import type { Title } from "../lib/bindings/Title";
import Diagnostics from "./Diagnostics.svelte";

function title(id: number, name: string, state: Title["state"]): Title {
  return {
    id,
    name,
    source_url: "https://media.example/a.mpd?token=%5Bredacted%5D",
    kind: "dash",
    state,
    state_reason: null,
    bytes_done: 5_000_000,
    bytes_total: 5_000_000,
    folder: `0000${id}-x`,
    queue_position: id,
    created_at: 1_800_000_000_000,
    completed_at: null,
  };
}

describe("Diagnostics", () => {
  it("shows the install, settings, titles with their files and the last log lines", async () => {
    const backend = new MockBackend();
    backend.titles = [title(1, "Blue Hour", "completed"), title(2, "Night Train", "queued")];
    render(Diagnostics, { props: { api: backend.support } });
    expect(await screen.findByText("Layover 0.0.0-mock")).toBeInTheDocument();
    expect(screen.getByText(/Debian GNU\/Linux 12/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Titles (2)" })).toBeInTheDocument();
    expect(screen.getByText("parallel_downloads")).toBeInTheDocument();
    expect(screen.getByText(/Tracks: video 1280x720, 3.0 Mbit\/s, avc1; audio en, 128 kbit\/s/)).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Last log lines" })).toHaveTextContent("token=[redacted]");
    expect(backend.support.calls).toEqual(["diagnostics"]);
  });

  it("verifies one title, then all, and exports a bundle", async () => {
    const backend = new MockBackend();
    backend.titles = [title(1, "Blue Hour", "completed")];
    const user = userEvent.setup();
    render(Diagnostics, { props: { api: backend.support } });
    const row = (await screen.findByText("Blue Hour")).closest("li")!;
    await user.click(within(row).getByRole("button", { name: "Verify files of Blue Hour" }));
    expect(await within(row).findByText("all 0 downloaded files are intact")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Verify all" }));
    expect(await screen.findByText(/All 1 titles verified/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Export diagnostics" }));
    expect(await screen.findByText(/layover-diagnostics-1800000000\.zip/)).toBeInTheDocument();
    expect(backend.support.calls).toEqual([
      "diagnostics",
      "verifyTitle",
      "verifyTitle",
      "diagnostics",
      "exportDiagnostics",
    ]);
  });

  it("says in words when the report cannot be read", async () => {
    const backend = new MockBackend();
    backend.support.diagnostics = () => Promise.reject({ code: "storage", message: "database error while reading titles" });
    render(Diagnostics, { props: { api: backend.support } });
    expect(await screen.findByRole("alert")).toHaveTextContent("database error while reading titles");
  });
});
