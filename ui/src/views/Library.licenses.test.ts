import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { MockBackend } from "../lib/backend/mock";
import { mockLicense } from "../lib/backend/licenses";
import { TitlesStore } from "../lib/titles.svelte";
import Library from "./Library.svelte";

describe("Library rows", () => {
  it("show each title's license state and verify its files", async () => {
    const backend = new MockBackend();
    backend.titles = [
      {
        id: 4,
        name: "Sintel",
        source_url: "http://127.0.0.1:1/media/sintel.mpd",
        kind: "dash",
        state: "completed",
        state_reason: null,
        bytes_done: 4_000_000,
        bytes_total: 4_000_000,
        folder: "00004-sintel",
        queue_position: 1,
        created_at: 1_800_000_000_000,
        completed_at: 1_800_000_100_000,
      },
    ];
    backend.licenses.licenses = [
      mockLicense({ id: 1, title_id: 4, title_name: "Sintel", status: "expiring_soon", remaining_secs: 5 * 3600, playback_window_secs: null }),
    ];
    const library = new TitlesStore(backend);
    await library.refresh();
    await library.refreshLicenses();
    const user = userEvent.setup();
    render(Library, { props: { library, onadded: () => {} } });
    const row = within(await screen.findByRole("list", { name: "Downloaded titles" })).getByRole("listitem");
    expect(row).toHaveTextContent("Expiring soon");
    expect(row).toHaveTextContent("5 h left");
    await user.click(within(row).getByRole("button", { name: "Verify files of Sintel" }));
    await waitFor(() => expect(row).toHaveTextContent("Verify files: all 0 downloaded files are intact"));
    expect(backend.support.calls).toEqual(["verifyTitle"]);
  });
});
