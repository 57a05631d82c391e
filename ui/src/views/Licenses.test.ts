import { cleanup, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { MockLicenses, mockLicense } from "../lib/backend/licenses";
import type { Title } from "../lib/bindings/Title";
import type { TitleState } from "../lib/bindings/TitleState";
import { remainingText } from "../lib/licenses";
import Licenses from "./Licenses.svelte";

function mockTitle(id: number, name: string, state: TitleState = "completed"): Title {
  return {
    id,
    name,
    source_url: `https://media.example/${id}.mpd`,
    kind: "dash",
    state,
    state_reason: null,
    bytes_done: 10,
    bytes_total: 10,
    folder: `t${id}`,
    queue_position: id,
    created_at: 0,
    completed_at: state === "completed" ? 1 : null,
  };
}

describe("Licenses view", () => {
  it("shows the empty state when nothing is licensed", async () => {
    render(Licenses, { props: { api: new MockLicenses() } });
    expect(await screen.findByRole("heading", { level: 2, name: "No licenses yet" })).toBeInTheDocument();
  });

  it("lists licenses with state chips, countdowns and a details drawer with the history", async () => {
    const api = new MockLicenses();
    api.licenses = [
      mockLicense({ id: 1, title_name: "Sintel", status: "expiring_soon", remaining_secs: 5 * 3600, deadline: "playback_window", first_play_ms: 1 }),
      mockLicense({ id: 2, title_name: "Tears of Steel", status: "expired", remaining_secs: 0, expires_ms: 1_800_000_000_000 }),
    ];
    api.history = [
      {
        at_ms: 1_800_000_000_000,
        operation: "acquire",
        server: "http://127.0.0.1:8080/PlayReady/",
        outcome: "failed",
        http_status: 500,
        fault_code: "0x8004C602",
        message: "the license server refused: the device limit for this account has been reached",
        latency_ms: 40,
        kids: "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9",
      },
    ];
    const user = userEvent.setup();
    render(Licenses, { props: { api } });
    const list = await screen.findByRole("list", { name: /Licenses/ });
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByText("Expiring soon")).toBeInTheDocument();
    expect(within(items[0]!).getByText("5 h left of the playback window")).toBeInTheDocument();
    expect(within(items[1]!).getByText("Expired")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Details for Sintel" }));
    const drawer = await screen.findByRole("dialog", { name: "Sintel" });
    expect(within(drawer).getByText("PSwbCl9OcUCCk6S1xtfo+Q==")).toBeInTheDocument();
    expect(await within(drawer).findByText(/device limit .* reached/)).toBeInTheDocument();
    expect(within(drawer).getByText(/0x8004C602/)).toBeInTheDocument();
  });

  it("shows one card per title with its keys, and every key in the drawer", async () => {
    const api = new MockLicenses();
    api.licenses = [
      mockLicense({ id: 1, title_id: 9, title_name: "Sintel", remaining_secs: 3 * 86_400 }),
      mockLicense({ id: 2, title_id: 9, title_name: "Sintel", kid: "f1e2d3c4-b5a6-4738-9281-706f5e4d3c2b" }),
    ];
    const user = userEvent.setup();
    render(Licenses, { props: { api } });
    const list = await screen.findByRole("list", { name: /Licenses/ });
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(1);
    expect(items[0]).toHaveTextContent("2 keys");
    expect(items[0]).toHaveTextContent("3 d left");
    await user.click(screen.getByRole("button", { name: "Details for Sintel" }));
    const drawer = await screen.findByRole("dialog", { name: "Sintel" });
    expect(await within(drawer).findByRole("region", { name: "Key f1e2d3c4-b5a6-4738-9281-706f5e4d3c2b" })).toBeInTheDocument();
    expect(within(drawer).getByRole("region", { name: "Key 0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9" })).toBeInTheDocument();
  });

  it("renews one title and all titles, and says what happened", async () => {
    const api = new MockLicenses();
    api.licenses = [mockLicense({ id: 7, title_name: "Sintel", status: "expired", remaining_secs: 0 })];
    const user = userEvent.setup();
    render(Licenses, { props: { api } });
    await user.click(await screen.findByRole("button", { name: "Renew now: Sintel" }));
    expect(await screen.findByText("Renewed the license for Sintel.")).toBeInTheDocument();
    await waitFor(() => expect(screen.getByText("Valid")).toBeInTheDocument());
    await user.click(screen.getByRole("button", { name: "Renew all before a trip" }));
    expect(await screen.findByText("Renewed 1 title.")).toBeInTheDocument();
    expect(api.calls).toContain("renewAll");
  });

  it("gets ready for a trip with the picked titles: renews what would lapse and says what lasts", async () => {
    const api = new MockLicenses();
    const soon = Date.now() + 86_400_000;
    const titles = [
      mockTitle(1, "Sintel"),
      mockTitle(2, "Rental"),
      mockTitle(3, "Left at home"),
      mockTitle(4, "Still coming", "downloading"),
    ];
    api.titlesOf = () => titles;
    api.licenses = [
      mockLicense({ id: 1, title_id: 1, title_name: "Sintel", expires_ms: soon, persistent: true }),
      mockLicense({ id: 2, title_id: 2, title_name: "Rental", expires_ms: soon, persistent: false }),
    ];
    const user = userEvent.setup();
    render(Licenses, { props: { api, titles } });
    await user.click(await screen.findByRole("button", { name: "Get ready for a trip" }));
    const form = screen.getByRole("form", { name: "Get ready for a trip" });
    // Every title is picked to start with; the viewer leaves one at home.
    expect(within(form).getByRole("group", { name: "Titles to take (4 picked)" })).toBeInTheDocument();
    await user.click(within(form).getByRole("checkbox", { name: /Left at home/ }));
    await user.click(within(form).getByRole("button", { name: "Get ready (3 titles)" }));
    const report = await screen.findByRole("region", { name: "Trip report" });
    expect(report).toHaveTextContent("1 of 3 titles will play until you are back; 1 still downloading");
    expect(report).toHaveTextContent("Sintel");
    expect(report).toHaveTextContent("renewed for the trip");
    expect(report).toHaveTextContent("Rental");
    expect(report).toHaveTextContent("waiting to download");
    expect(report).not.toHaveTextContent("Left at home");
    expect(api.trip?.titleIds).toEqual([1, 2, 4]);

    // The trip is kept: opened again, it shows; forgotten, it goes.
    cleanup();
    render(Licenses, { props: { api, titles } });
    expect(await screen.findByRole("region", { name: "Trip report" })).toHaveTextContent("Sintel");
    await user.click(screen.getByRole("button", { name: "Forget the trip" }));
    await waitFor(() => expect(screen.queryByRole("region", { name: "Trip report" })).toBeNull());
    expect(api.trip).toBeNull();
  });

  it("refuses a trip with nothing picked, in words", async () => {
    const api = new MockLicenses();
    const titles = [mockTitle(1, "Sintel")];
    api.titlesOf = () => titles;
    const user = userEvent.setup();
    render(Licenses, { props: { api, titles } });
    await user.click(await screen.findByRole("button", { name: "Get ready for a trip" }));
    await user.click(screen.getByRole("button", { name: "Clear shown" }));
    expect(screen.getByRole("button", { name: "Get ready (0 titles)" })).toBeDisabled();
    await user.type(screen.getByRole("searchbox", { name: "Search" }), "nothing like this");
    expect(screen.queryByRole("checkbox")).toBeNull();
  });

  it("shows a refusal in words with advice", async () => {
    const api = new MockLicenses();
    api.licenses = [mockLicense({ id: 7, title_name: "Sintel" })];
    const user = userEvent.setup();
    render(Licenses, { props: { api } });
    await screen.findByText("Sintel");
    api.renew = () =>
      Promise.reject({ code: "unauthorized", message: "Sintel: the license server did not accept the token" });
    await user.click(screen.getByRole("button", { name: "Renew now: Sintel" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("did not accept the token");
    expect(alert).toHaveTextContent("Paste a fresh token");
  });
});

describe("remainingText", () => {
  it("counts down from what the engine said, never below zero", () => {
    const l = mockLicense({ id: 1, title_name: "x", remaining_secs: 3700, playback_window_secs: null });
    expect(remainingText(l, 0)).toBe("1 h 1 min left");
    expect(remainingText(l, 3700)).toBe("Expired");
    expect(remainingText(mockLicense({ id: 1, title_name: "x", remaining_secs: null }), 5)).toBe("No end date");
    expect(remainingText(mockLicense({ id: 1, title_name: "x", remaining_secs: 3600 }), 0)).toBe(
      "1 h left · 2 d to watch once started",
    );
  });
});
