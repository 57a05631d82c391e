import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import DemoServerSettings from "../components/DemoServerSettings.svelte";
import { MockBackend } from "../lib/backend/mock";
import { TitlesStore } from "../lib/titles.svelte";
import Catalog from "./Catalog.svelte";

function setup() {
  const backend = new MockBackend();
  const library = new TitlesStore(backend);
  render(Catalog, { props: { api: backend.catalog, library, onadded: () => {} } });
  return { backend, library };
}

describe("Catalog view", () => {
  it("shows the demo feed as a poster grid, searchable and filterable by kind and tag", async () => {
    const user = userEvent.setup();
    const { backend } = setup();
    const grid = await screen.findByRole("list", { name: "Catalog titles" });
    expect(within(grid).getAllByRole("listitem")).toHaveLength(5);
    expect(screen.getByTestId("catalog-name")).toHaveTextContent("Layover demo: 5 titles, served by the demo server");
    await waitFor(() => expect(grid.querySelectorAll("img[src^='data:image/']")).toHaveLength(5));
    expect(backend.catalog.calls.filter((c) => c.startsWith("poster:"))).toHaveLength(5);

    await user.type(screen.getByRole("searchbox"), "bars");
    expect(within(grid).getAllByRole("listitem")).toHaveLength(1);
    expect(screen.getByText("1 of 5 titles match")).toBeInTheDocument();
    await user.clear(screen.getByRole("searchbox"));

    await user.selectOptions(screen.getByRole("combobox", { name: "Kind" }), "smooth");
    expect(within(grid).getAllByRole("listitem")).toHaveLength(1);
    await user.selectOptions(screen.getByRole("combobox", { name: "Kind" }), "all");

    const clearkey = screen.getByRole("button", { name: "clearkey" });
    await user.click(clearkey);
    expect(clearkey).toHaveAttribute("aria-pressed", "true");
    expect(within(grid).getAllByRole("listitem")).toHaveLength(1);
    await user.click(clearkey);
    expect(within(grid).getAllByRole("listitem")).toHaveLength(5);

    await user.type(screen.getByRole("searchbox"), "nothing like this");
    expect(screen.getByRole("heading", { name: "Nothing matches" })).toBeInTheDocument();
  });

  it("shows a title's details and downloads it through the choice dialog with its license profile", async () => {
    const user = userEvent.setup();
    const { backend } = setup();
    const grid = await screen.findByRole("list", { name: "Catalog titles" });
    await user.click(within(grid).getByRole("button", { name: /Colour Bars/ }));
    const details = screen.getByRole("region", { name: "Colour Bars" });
    expect(within(details).getByText(/PlayReady, licensed to Layover's test identity/)).toBeInTheDocument();
    await user.click(within(details).getByRole("button", { name: "Download" }));
    const dialog = await screen.findByRole("dialog", { name: 'Download "Colour Bars"' });
    await user.click(within(dialog).getByRole("radio", { name: /1280x720/ }));
    await user.click(within(dialog).getByRole("button", { name: "Download" }));
    await screen.findByText(/"Colour Bars" was added/);
    expect(backend.catalog.added).toHaveLength(1);
    expect(backend.catalog.added[0]!.entry.license?.name).toBe("Layover demo PlayReady");
    expect(backend.catalog.added[0]!.choice?.video).toBe("1200k");
  });

  it("marks titles already in the library, even when the demo server's port changed", async () => {
    const backend = new MockBackend();
    backend.titles = [
      {
        id: 1,
        name: "Test Pattern",
        source_url: "http://127.0.0.1:40001/demo/clearkey-dash/manifest.mpd",
        kind: "dash",
        state: "completed",
        state_reason: null,
        bytes_done: 1,
        bytes_total: 1,
        folder: "00001-Test Pattern",
        queue_position: 1,
        created_at: 0,
        completed_at: 1,
      },
    ];
    const library = new TitlesStore(backend);
    await library.refresh();
    render(Catalog, { props: { api: backend.catalog, library, onadded: () => {} } });
    const grid = await screen.findByRole("list", { name: "Catalog titles" });
    const card = within(grid).getByRole("button", { name: /Test Pattern/ });
    expect(card).toHaveTextContent("In your library");
    expect(within(grid).getByRole("button", { name: /Colour Bars/ })).not.toHaveTextContent("In your");
  });

  it("says when the demo server is stopped, and starts it", async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    backend.catalog.status = { ...backend.catalog.status, running: false, feed_url: null };
    render(Catalog, { props: { api: backend.catalog, library: new TitlesStore(backend), onadded: () => {} } });
    expect(await screen.findByText(/demo server is stopped/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Start the demo server" }));
    expect(await screen.findByRole("list", { name: "Catalog titles" })).toBeInTheDocument();
  });
});

describe("Settings: demo server", () => {
  it("shows running or stopped and switches it", async () => {
    const user = userEvent.setup();
    const backend = new MockBackend();
    render(DemoServerSettings, { props: { api: backend.catalog } });
    expect(await screen.findByTestId("demo-state")).toHaveTextContent("running");
    await user.click(screen.getByRole("switch"));
    await waitFor(() => expect(screen.getByTestId("demo-state")).toHaveTextContent("stopped"));
    expect(backend.catalog.calls).toContain("setDemoServer:false");
    expect(screen.getByText(/Downloaded titles still play/)).toBeInTheDocument();
  });
});
