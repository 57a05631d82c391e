import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";

import App from "./App.svelte";
import { MockBackend } from "./lib/backend/mock";
import type { Title } from "./lib/bindings/Title";

function title(over: Partial<Title>): Title {
  return {
    id: 1,
    name: "seed film",
    source_url: "http://127.0.0.1:1/media/seed_film.mp4",
    kind: "progressive",
    state: "completed",
    state_reason: null,
    bytes_done: 2_000_024,
    bytes_total: 2_000_024,
    folder: "00001-seed_film",
    queue_position: 1,
    created_at: 1_800_000_000_000,
    completed_at: 1_800_000_100_000,
    ...over,
  };
}

async function renderReady(backend = new MockBackend()) {
  render(App, { props: { backend } });
  await screen.findByRole("heading", { level: 1, name: "Library" });
  return backend;
}

describe("App", () => {
  beforeEach(() => {
    window.location.hash = "";
    document.documentElement.dataset.theme = "system";
  });

  it("opens on the library with its empty state", async () => {
    await renderReady();
    expect(screen.getByRole("heading", { level: 2, name: "No titles yet" })).toBeInTheDocument();
    expect(screen.getByText(/Add one by link or from the demo catalog/)).toBeInTheDocument();
    const current = screen.getByRole("button", { current: "page" });
    expect(current).toHaveTextContent("Library");
  });

  it("navigates by click, by shortcut and by hash", async () => {
    const user = userEvent.setup();
    await renderReady();
    await user.click(screen.getByRole("button", { name: /Downloads/ }));
    expect(screen.getByRole("heading", { level: 1, name: "Downloads" })).toHaveFocus();
    expect(screen.getByText(/carry on where they stopped/)).toBeInTheDocument();
    expect(window.location.hash).toBe("#/downloads");

    await user.keyboard("{Control>}3{/Control}");
    expect(screen.getByRole("heading", { level: 1, name: "Licenses" })).toBeInTheDocument();
    expect(screen.getByText(/how long it stays playable/)).toBeInTheDocument();

    window.location.hash = "#/settings";
    await fireEvent(window, new HashChangeEvent("hashchange"));
    expect(await screen.findByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
  });

  it("moves focus through the sidebar with the arrow keys", async () => {
    const user = userEvent.setup();
    await renderReady();
    const library = screen.getByRole("button", { name: /Library/ });
    library.focus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("button", { name: /Downloads/ })).toHaveFocus();
    await user.keyboard("{ArrowUp}{ArrowUp}");
    expect(screen.getByRole("button", { name: /Diagnostics/ })).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(screen.getByRole("button", { name: /Catalog/ })).toHaveFocus();
    await user.keyboard("{ArrowUp}");
    expect(screen.getByRole("button", { name: /Settings/ })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
  });

  it("saves the theme through the backend and applies it", async () => {
    const user = userEvent.setup();
    const backend = await renderReady();
    await user.click(screen.getByRole("button", { name: /Settings/ }));
    expect(screen.getByTestId("version")).toHaveTextContent("Layover 0.0.0-mock");
    expect(screen.getByRole("radio", { name: "Match system" })).toBeChecked();

    await user.click(screen.getByRole("radio", { name: "Dark" }));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
    expect(backend.settings.theme).toBe("dark");
    expect(backend.calls).toContain("updateSettings");
  });

  it("saves the download defaults: video quality and audio languages", async () => {
    const user = userEvent.setup();
    const backend = await renderReady();
    await user.click(screen.getByRole("button", { name: /Settings/ }));
    const quality = screen.getByLabelText("Video quality for new titles");
    expect(quality).toHaveValue("1080p");
    await user.selectOptions(quality, "720p");
    await waitFor(() => expect(backend.settings.video_quality).toBe("720p"));
    const langs = screen.getByLabelText(/Audio languages/);
    await user.type(langs, "en, fr ,");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(backend.settings.audio_languages).toEqual(["en", "fr"]));
  });

  it("says why when saving fails, and keeps the old value", async () => {
    const user = userEvent.setup();
    const backend = await renderReady();
    await user.click(screen.getByRole("button", { name: /Settings/ }));
    backend.failWith = { code: "storage", message: "Layover could not use its database while saving settings." };
    await user.click(screen.getByRole("radio", { name: "Light" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("could not use its database");
    expect(alert).toHaveTextContent("free space");
    expect(document.documentElement.dataset.theme).toBe("system");
  });

  it("shows the reason when the library cannot be opened", async () => {
    const backend = new MockBackend();
    backend.failWith = { code: "data_directory", message: "the data directory /x could not be created" };
    render(App, { props: { backend } });
    expect(await screen.findByRole("heading", { name: "Layover could not open your library" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("/x could not be created");
    expect(screen.getByRole("alert")).toHaveTextContent("--data-dir");
  });

  it("warns when the computer's clock was set back", async () => {
    const backend = new MockBackend();
    backend.clock = {
      now_ms: 1_800_000_000_000,
      latest_seen_ms: 1_800_000_000_000 + 3 * 86_400_000 + 2 * 3_600_000,
      behind_ms: 3 * 86_400_000 + 2 * 3_600_000,
      rolled_back: true,
    };
    await renderReady(backend);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("clock is 3 d 2 h behind");
    expect(alert).toHaveTextContent("does not make them last longer");
  });

  it("says nothing about a correct clock", async () => {
    await renderReady();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("lists every title in the library, with its download state, and the unfinished in downloads", async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    backend.titles = [
      title({}),
      title({ id: 2, name: "long haul", state: "downloading", bytes_done: 500_000, bytes_total: 2_000_000 }),
      title({
        id: 3,
        name: "withdrawn",
        state: "failed",
        state_reason: "http://x/withdrawn.mp4 does not exist on the server (HTTP 404)",
      }),
    ];
    await renderReady(backend);
    const library = await screen.findByRole("list", { name: "Titles" });
    expect(library).toHaveTextContent("seed film");
    expect(library).toHaveTextContent("2.0 MB");
    expect(library).toHaveTextContent(/long haul\s*Downloading, 25 % done/);
    expect(library).toHaveTextContent("does not exist on the server (HTTP 404)");

    await user.click(screen.getByRole("button", { name: /Downloads/ }));
    const downloads = screen.getByRole("list", { name: "Downloads" });
    expect(downloads).toHaveTextContent("long haul");
    expect(downloads).toHaveTextContent("500 kB of 2.0 MB");
    expect(screen.getByRole("progressbar", { name: "long haul: 25% downloaded" })).toBeInTheDocument();
    expect(downloads).toHaveTextContent("Failed");
    expect(downloads).toHaveTextContent("does not exist on the server (HTTP 404)");
    expect(downloads).not.toHaveTextContent("seed film");
  });

  it("says how to add a title while the library is empty", async () => {
    const backend = new MockBackend();
    backend.titles = [];
    await renderReady(backend);
    expect(await screen.findByText(/layover download/)).toBeInTheDocument();
  });

  it("adds a title by link and downloads it with progress", async () => {
    const user = userEvent.setup();
    const backend = await renderReady();
    await user.click(screen.getByRole("button", { name: "Add by link" }));
    const input = screen.getByLabelText(/Link to a title/);
    expect(input).toHaveFocus();
    await user.type(input, "https://cdn.example/films/night_flight.mp4");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByRole("dialog", { name: /Download "night flight"/ })).toHaveTextContent("A single file of 4.0 MB");
    await user.click(screen.getByRole("button", { name: "Download" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Downloads" })).toBeInTheDocument();
    expect(backend.calls).toEqual(expect.arrayContaining(["linkChoices", "addLink"]));
    await user.click(screen.getByRole("button", { name: /Library/ }));
    const list = await screen.findByRole("list", { name: "Titles" });
    expect(list).toHaveTextContent("night flight");
    expect(list).toHaveTextContent("4.0 MB");
  });

  it("explains a link it cannot add, inside the form", async () => {
    const user = userEvent.setup();
    await renderReady();
    await user.click(screen.getByRole("button", { name: "Add by link" }));
    await user.type(screen.getByLabelText(/Link to a title/), "https://cdn.example/films/page.html");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The link could not be added");
    expect(alert).toHaveTextContent("does not end in .mp4");
    expect(screen.getByRole("heading", { level: 1, name: "Library" })).toBeInTheDocument();
  });

  it("pauses, resumes and deletes titles from their rows", async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    backend.titles = [
      title({}),
      title({ id: 2, name: "long haul", state: "downloading", bytes_done: 500_000, bytes_total: 2_000_000 }),
    ];
    await renderReady(backend);
    await user.click(screen.getByRole("button", { name: /Downloads/ }));
    const row = () => screen.getByRole("list", { name: "Downloads" });
    await user.click(within(row()).getByRole("button", { name: "Pause" }));
    expect(await within(row()).findByText("paused by you")).toBeInTheDocument();
    await user.click(within(row()).getByRole("button", { name: "Resume" }));
    expect(backend.calls).toEqual(expect.arrayContaining(["pauseTitle", "resumeTitle"]));

    await user.click(screen.getByRole("button", { name: /Library/ }));
    const library = await screen.findByRole("list", { name: "Titles" });
    await user.click(within(library).getByRole("checkbox", { name: "Select seed film" }));
    await user.click(screen.getByRole("button", { name: "Delete selected..." }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete and free 2.0 MB" }));
    expect(backend.calls).toContain("removeTitle");
    expect(backend.titles.find((t) => t.name === "seed film")).toBeUndefined();
  });

  it("offers qualities and languages with sizes before downloading, and refuses what does not fit", async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    backend.freeBytes = 1_500_000_000;
    await renderReady(backend);
    await user.click(screen.getByRole("button", { name: "Add by link" }));
    await user.type(screen.getByLabelText(/Link to a title/), "https://cdn.example/films/sky_road.mpd");
    await user.keyboard("{Enter}");
    const dialog = await screen.findByRole("dialog", { name: /Download "sky road"/ });
    expect(screen.getByRole("heading", { name: /Download "sky road"/ })).toHaveFocus();
    expect(within(dialog).getByRole("radio", { name: /1920x1080/ })).toBeChecked();
    expect(within(dialog).getByRole("alert")).toHaveTextContent(/Not enough space: .* more is needed/);
    expect(within(dialog).getByRole("button", { name: "Download" })).toBeDisabled();
    await user.click(within(dialog).getByRole("radio", { name: /1280x720/ }));
    await user.click(within(dialog).getByRole("checkbox", { name: /fr/ }));
    await user.click(within(dialog).getByRole("checkbox", { name: /de/ }));
    expect(within(dialog).queryByRole("alert")).toBeNull();
    expect(within(dialog).getByTestId("download-size")).toHaveTextContent("About 996.0 MB to download");
    await user.click(within(dialog).getByRole("button", { name: "Download" }));
    await waitFor(() => expect(backend.lastChoice).toEqual({ video: "1200k", audio: ["en"], subtitles: [] }));
  });

  it("reorders the queue and pauses or resumes everything", async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    backend.titles = [
      title({ id: 1, name: "first", state: "queued", bytes_done: 0, bytes_total: null }),
      title({ id: 2, name: "second", state: "paused", bytes_done: 0, bytes_total: null, queue_position: 2 }),
    ];
    await renderReady(backend);
    await user.click(screen.getByRole("button", { name: /Downloads/ }));
    await user.click(await screen.findByRole("button", { name: "Move second to the top of the queue" }));
    await waitFor(() => expect(backend.titles.map((t) => t.name)).toEqual(["second", "first"]));
    await user.click(screen.getByRole("button", { name: "Pause all" }));
    await waitFor(() => expect(backend.titles.every((t) => t.state === "paused")).toBe(true));
    await user.click(screen.getByRole("button", { name: "Resume all" }));
    await waitFor(() => expect(backend.titles.every((t) => t.state === "queued")).toBe(true));
  });

  it("explains itself outside the app window", () => {
    render(App, { props: { backend: null } });
    expect(screen.getByRole("alert")).toHaveTextContent("only works inside the Layover app");
  });
});
