import { render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { MockLicenses } from "../lib/backend/licenses";
import ProviderSettings from "./ProviderSettings.svelte";

describe("License providers in Settings", () => {
  it("warns about the key-file store, adds a provider with a token, and never shows the token", async () => {
    const api = new MockLicenses();
    const user = userEvent.setup();
    render(ProviderSettings, { props: { api } });
    expect(await screen.findByRole("note")).toHaveTextContent("anyone who can read that folder");

    await user.type(screen.getByLabelText("Name"), "Contoso");
    await user.type(screen.getByLabelText(/Key delivery base URL/), "https://contoso.example");
    await user.type(screen.getByLabelText(/Bearer token/), "eyJ.secret.token");
    await user.click(screen.getByRole("button", { name: "Add provider" }));

    const list = await screen.findByRole("list", { name: "License providers" });
    const row = within(list).getByRole("listitem");
    expect(row).toHaveTextContent("Contoso");
    expect(row).toHaveTextContent("token stored");
    expect(row).toHaveTextContent("Default");
    expect(document.body.textContent).not.toContain("eyJ.secret.token");
    expect(screen.getByLabelText(/Bearer token/)).toHaveValue("");

    await user.click(screen.getByRole("button", { name: "Replace the token of Contoso" }));
    await user.click(screen.getByRole("button", { name: "Save token" }));
    expect(await screen.findByText('Removed the token of "Contoso".')).toBeInTheDocument();
    expect(within(screen.getByRole("list", { name: "License providers" })).getByRole("listitem")).toHaveTextContent(
      "no token",
    );
  });

  it("edits a provider in place, keeping what the form does not show", async () => {
    const api = new MockLicenses();
    await api.addProvider(
      {
        name: "Partner",
        kind: "playready",
        la_url_override: "https://lic.example/a",
        headers: { "X-Tenant": "t1" },
        ams_delivery: "playready",
        playready_client: "auto",
        persistent: true,
      },
      { token: null, headers: {} },
    );
    const user = userEvent.setup();
    render(ProviderSettings, { props: { api } });
    await user.click(await screen.findByRole("button", { name: "Edit Partner" }));
    const url = screen.getByLabelText(/License URL/);
    expect(url).toHaveValue("https://lic.example/a");
    await user.clear(url);
    await user.type(url, "https://lic.example/b");
    await user.click(screen.getByRole("button", { name: "Save provider" }));
    expect(await screen.findByText('Saved "Partner".')).toBeInTheDocument();
    expect(api.providerList[0]?.profile.la_url_override).toBe("https://lic.example/b");
    expect(api.providerList[0]?.profile.headers).toEqual({ "X-Tenant": "t1" });
    expect(screen.queryByText(/is not a header/)).toBeNull();
    expect(api.providerList).toHaveLength(1);
  });

  it("takes headers, query parameters and custom data, and says which line is wrong", async () => {
    const api = new MockLicenses();
    const user = userEvent.setup();
    render(ProviderSettings, { props: { api } });
    await user.type(screen.getByLabelText("Name"), "Partner");
    await user.selectOptions(screen.getByLabelText("Kind"), "playready");
    await user.type(screen.getByLabelText(/Extra headers/), "X-Tenant contoso");
    await user.click(screen.getByRole("button", { name: "Add provider" }));
    expect(await screen.findByRole("alert")).toHaveTextContent('"X-Tenant contoso" is not a header');
    expect(api.providerList).toHaveLength(0);
    const headers = screen.getByLabelText(/Extra headers/);
    await user.clear(headers);
    await user.type(headers, "X-Tenant: contoso");
    await user.type(screen.getByLabelText(/query parameters/), "tenant=contoso");
    await user.type(screen.getByLabelText(/custom data/), "userid:42");
    await user.click(screen.getByRole("button", { name: "Add provider" }));
    await screen.findByText('Added "Partner".');
    const p = api.providerList[0]!.profile;
    expect(p.headers).toEqual({ "X-Tenant": "contoso" });
    expect(p.query).toEqual({ tenant: "contoso" });
    expect(p.custom_data).toBe("userid:42");
  });

  it("exports without tokens and imports back", async () => {
    const api = new MockLicenses();
    await api.addProvider(
      { name: "Demo", kind: "clearkey", url: "http://127.0.0.1:1/clearkey", ams_delivery: "playready", playready_client: "auto", persistent: true },
      { token: "t0ken", headers: {} },
    );
    const user = userEvent.setup();
    render(ProviderSettings, { props: { api } });
    await user.click(await screen.findByRole("button", { name: "Export providers" }));
    const exported = (await screen.findByLabelText(/Exported providers/)) as HTMLTextAreaElement;
    expect(exported.value).toContain("\"Demo\"");
    expect(exported.value).not.toContain("t0ken");
    await user.click(screen.getByLabelText(/Import providers/));
    await user.paste(exported.value);
    await user.click(screen.getByRole("button", { name: "Import" }));
    expect(await screen.findByText(/Imported: 1 added/)).toBeInTheDocument();
  });
});
