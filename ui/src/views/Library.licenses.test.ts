import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { MockBackend } from "../lib/backend/mock";
import { mockLicense } from "../lib/backend/licenses";
import type { Title } from "../lib/bindings/Title";
import { libraryView } from "../lib/libraryView.svelte";
import { TitlesStore } from "../lib/titles.svelte";
import Library from "./Library.svelte";
import TitlePage from "./Title.svelte";

function title(id: number, name: string, over: Partial<Title> = {}): Title {
  return {
    id,
    name,
    source_url: `http://127.0.0.1:1/media/${id}.mpd?token=secret`,
    kind: "dash",
    state: "completed",
    state_reason: null,
    bytes_done: id * 1_000_000,
    bytes_total: id * 1_000_000,
    folder: `0000${id}-x`,
    queue_position: id,
    created_at: 1_800_000_000_000 + id,
    completed_at: 1_800_000_100_000,
    ...over,
  };
}

async function setup() {
  const backend = new MockBackend();
  backend.titles = [
    title(4, "Sintel"),
    title(2, "Big Buck Bunny"),
    title(3, "Tears of Steel", { state: "downloading", bytes_done: 1_500_000, bytes_total: 3_000_000 }),
  ];
  backend.licenses.licenses = [
    mockLicense({ id: 1, title_id: 4, title_name: "Sintel", status: "expiring_soon", remaining_secs: 5 * 3600, playback_window_secs: null }),
  ];
  const library = new TitlesStore(backend);
  await library.refresh();
  await library.refreshSummaries();
  Object.assign(libraryView, { query: "", group: "all", sort: "name", mode: "list", selected: new Set(), anchor: null, outcome: null });
  return { backend, library };
}

describe("the Library", () => {
  it("lists every title with its state in words, sorted and filtered", async () => {
    const { backend, library } = await setup();
    const user = userEvent.setup();
    render(Library, { props: { library, api: backend.library, onadded: () => {} } });
    const list = await screen.findByRole("list", { name: "Titles" });
    const rows = () => within(list).getAllByRole("listitem").map((li) => li.dataset.titleName);
    expect(rows()).toEqual(["Big Buck Bunny", "Sintel", "Tears of Steel"]);
    const sintel = within(list).getAllByRole("listitem")[1]!;
    expect(sintel).toHaveTextContent("Expiring in 5 h");
    expect(within(list).getAllByRole("listitem")[2]).toHaveTextContent("Downloading, 50 % done");
    // The summary came from one query, not the full license list.
    expect(backend.library.calls).toContain("summaries");
    expect(backend.licenses.calls).not.toContain("list");

    await user.selectOptions(screen.getByTestId("library-sort"), "size");
    await waitFor(() => expect(rows()).toEqual(["Sintel", "Big Buck Bunny", "Tears of Steel"]));
    await user.selectOptions(screen.getByTestId("library-filter"), "expiring");
    await waitFor(() => expect(rows()).toEqual(["Sintel"]));
    await user.selectOptions(screen.getByTestId("library-filter"), "all");
    await user.type(screen.getByTestId("library-search"), "tears");
    await waitFor(() => expect(rows()).toEqual(["Tears of Steel"]));
  });

  it("deletes a selection after saying how much space it frees", async () => {
    const { backend, library } = await setup();
    const user = userEvent.setup();
    render(Library, { props: { library, api: backend.library, onadded: () => {} } });
    const list = await screen.findByRole("list", { name: "Titles" });
    await user.click(within(list).getByRole("checkbox", { name: "Select Big Buck Bunny" }));
    await user.keyboard("{Shift>}");
    await user.click(within(list).getByRole("checkbox", { name: "Select Sintel" }));
    await user.keyboard("{/Shift}");
    expect(screen.getByTestId("selection-count")).toHaveTextContent("2 selected, 6.0 MB");
    await user.click(screen.getByRole("button", { name: "Delete selected..." }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("Delete 2 titles?");
    expect(within(dialog).getByTestId("freed")).toHaveTextContent("6.0 MB");
    await user.click(within(dialog).getByRole("button", { name: "Delete and free 6.0 MB" }));
    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Deleted 2 titles, freeing 6.0 MB."));
    expect(backend.calls.filter((c) => c === "removeTitle")).toHaveLength(2);
    expect(backend.titles.map((t) => t.name)).toEqual(["Tears of Steel"]);
  });
});

describe("a title's page", () => {
  it("shows details, tracks, both clocks, and verifies the files", async () => {
    const { backend, library } = await setup();
    const user = userEvent.setup();
    render(TitlePage, { props: { id: 4, backend, library } });
    await screen.findByRole("heading", { name: "Sintel", level: 1 });
    expect(screen.getByTestId("title-state")).toHaveTextContent("Expiring in 5 h");
    expect(screen.getByTestId("details")).toHaveTextContent("token=%5Bredacted%5D");
    expect(screen.getByTestId("details")).not.toHaveTextContent("secret");
    expect(screen.getByTestId("tracks")).toHaveTextContent("1920x1080");
    expect(screen.getByTestId("license-window")).toHaveTextContent("until");
    expect(screen.getByTestId("playback-window")).toHaveTextContent("none");
    expect(screen.getByRole("link", { name: "Play Sintel" })).toHaveAttribute("href", "#/play/4");
    await user.click(screen.getByRole("button", { name: "Verify files" }));
    await waitFor(() => expect(screen.getByText(/Verify files: all 0 downloaded files are intact/)).toBeInTheDocument());
    expect(backend.support.calls).toEqual(["verifyTitle"]);
  });
});
