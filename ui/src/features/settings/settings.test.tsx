import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test } from "vitest";
import type { SessionState } from "../../bindings";
import { SessionProvider } from "../../session/context";
import { StepUpProvider } from "../../session/StepUp";
import { installBackend, type Backend } from "../../test/backend";
import { installDrafts, type DraftsBackend } from "../../test/backend-drafts";
import { DEMO_PASSWORD, rows, USERS } from "../../test/fixtures";
import { SettingsView } from "./index";

const SECRET = "sk-live-0123456789abcdef";

function renderSettings(username: keyof typeof USERS = "ada", prepare?: (d: DraftsBackend, b: Backend) => void) {
  const b = installBackend(rows(1), { user: username });
  const d = installDrafts(b);
  prepare?.(d, b);
  const s = b.handle.session_state!({}) as SessionState;
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 0 } } });
  const user = userEvent.setup();
  render(
    <QueryClientProvider client={client}>
      <SessionProvider info={s.current!} previous={null}>
        <StepUpProvider>
          <SettingsView />
        </StepUpProvider>
      </SessionProvider>
    </QueryClientProvider>,
  );
  return { b, d, user };
}

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;

async function confirmPassword(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByTestId("stepup-password"), DEMO_PASSWORD);
  await user.click(screen.getByTestId("stepup-submit"));
}

describe("settings", () => {
  test("an admin saves the engine settings after confirming the password (step-up, then the call again)", async () => {
    const { b, user } = renderSettings("ada");
    await screen.findByTestId("settings-view");
    await waitFor(() => expect(input("llm-base-url").value).toBe("https://api.openai.com/v1"));
    expect(input("llm-model").value).toBe("gpt-4o-mini");
    expect(input("llm-timeout").value).toBe("20");
    expect(input("llm-enabled").checked).toBe(false);
    expect(screen.getByTestId("llm-save")).toHaveProperty("disabled", true);

    await user.click(input("llm-enabled"));
    await user.clear(input("llm-base-url"));
    await user.type(input("llm-base-url"), "http://localhost:11434/v1");
    await user.clear(input("llm-model"));
    await user.type(input("llm-model"), "llama3.1:8b");
    await user.clear(input("llm-timeout"));
    await user.type(input("llm-timeout"), "45");
    await user.click(screen.getByTestId("llm-save"));

    await confirmPassword(user);
    await screen.findByTestId("llm-saved");
    const expected = { settings: { base_url: "http://localhost:11434/v1", model: "llama3.1:8b", timeout_secs: 45 }, enabled: true };
    // refused once (no fresh step-up), then the same call again after the password
    expect(b.argsOf("save_llm_settings")).toEqual([expected, expected]);
    expect(b.argsOf("step_up")).toEqual([{ password: DEMO_PASSWORD }]);
    expect(screen.getByTestId("llm-engine-status").textContent).toContain("llama3.1:8b");
    expect(screen.getByTestId("llm-save")).toHaveProperty("disabled", true);
  });

  test("closing the password prompt saves nothing and shows no error", async () => {
    const { b, user } = renderSettings("ada");
    await waitFor(() => expect(input("llm-model").value).toBe("gpt-4o-mini"));
    await user.click(input("llm-enabled"));
    await user.click(screen.getByTestId("llm-save"));
    await screen.findByTestId("stepup-dialog");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByTestId("stepup-dialog")).toBeNull());
    expect(b.argsOf("save_llm_settings")).toHaveLength(1);
    expect(screen.queryByTestId("llm-error")).toBeNull();
    expect(screen.queryByTestId("llm-saved")).toBeNull();
  });

  test("the Rust side's refusal is shown (e.g. a base URL that is not http)", async () => {
    const { b, user } = renderSettings("ada");
    b.steppedUp = true;
    await waitFor(() => expect(input("llm-model").value).toBe("gpt-4o-mini"));
    await user.clear(input("llm-base-url"));
    await user.type(input("llm-base-url"), "ftp://models.example");
    await user.click(screen.getByTestId("llm-save"));
    await waitFor(() => expect(screen.getByTestId("llm-error").textContent).toBe("The base URL must start with http:// or https://."));
  });

  test("the API key: stored, replaced and removed, and never shown", async () => {
    const { b, d, user } = renderSettings("ada");
    await waitFor(() => expect(screen.getByTestId("llm-key-status").textContent).toContain("No key is stored."));
    const key = input("llm-api-key");
    expect(key.type).toBe("password");
    expect(screen.getByTestId("llm-key-save").textContent).toBe("Store key");
    expect(screen.queryByTestId("llm-key-remove")).toBeNull();

    await user.type(key, SECRET);
    await user.click(screen.getByTestId("llm-key-save"));
    await confirmPassword(user);
    await waitFor(() => expect(screen.getByTestId("llm-key-status").textContent).toContain("A key is stored in the OS keyring"));
    expect(b.argsOf("set_llm_api_key").at(-1)).toEqual({ apiKey: SECRET });
    expect(d.apiKey).toBe(SECRET);
    // the field is empty again; the key appears nowhere on screen, not even in an input's value
    expect(input("llm-api-key").value).toBe("");
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect([...document.querySelectorAll("input")].some((i) => i.value.includes(SECRET))).toBe(false);

    // replace (the step-up is still fresh: no second prompt)
    expect(screen.getByTestId("llm-key-save").textContent).toBe("Replace key");
    await user.type(input("llm-api-key"), "sk-new-key");
    await user.click(screen.getByTestId("llm-key-save"));
    await waitFor(() => expect(b.argsOf("set_llm_api_key").at(-1)).toEqual({ apiKey: "sk-new-key" }));
    await waitFor(() => expect(input("llm-api-key").value).toBe(""));
    expect(document.body.innerHTML).not.toContain("sk-new-key");

    // remove: asks once more on the page, then sends an empty key
    await user.click(screen.getByTestId("llm-key-remove"));
    await user.click(screen.getByTestId("llm-key-remove-confirm"));
    await waitFor(() => expect(screen.getByTestId("llm-key-status").textContent).toContain("No key is stored."));
    expect(b.argsOf("set_llm_api_key").at(-1)).toEqual({ apiKey: "" });
    expect(d.apiKey).toBeNull();
    expect(b.argsOf("step_up")).toHaveLength(1);
  });

  test("a keyring that cannot be read is said so", async () => {
    renderSettings("ada", (d) => (d.llm = { ...d.llm, keyring_error: "org.freedesktop.secrets was not provided by any .service files" }));
    await waitFor(() => expect(screen.getByTestId("llm-keyring-error").textContent).toContain("org.freedesktop.secrets was not provided"));
  });

  test("reindex the knowledge base: articles, passages and the files left out", async () => {
    const { b, d, user } = renderSettings("ada");
    b.steppedUp = true;
    d.kb = { articles: 64, passages: 407, changed: true, errors: ["policies/broken.md: front matter is not valid TOML"] };
    await user.click(await screen.findByTestId("kb-reindex"));
    const report = await screen.findByTestId("kb-report");
    expect(report.textContent).toContain("64 articles, 407 passages indexed");
    expect(report.textContent).toContain("the index changed");
    expect(screen.getAllByTestId("kb-error").map((e) => e.textContent)).toEqual(["policies/broken.md: front matter is not valid TOML"]);
    expect(b.argsOf("kb_reindex")).toHaveLength(1);
  });

  test("without configure_drafts: the status read-only, nothing to change", async () => {
    const { b } = renderSettings("ana");
    await screen.findByTestId("settings-readonly");
    await waitFor(() => expect(input("llm-base-url").value).toBe("https://api.openai.com/v1"));
    expect(input("llm-base-url").readOnly).toBe(true);
    expect(input("llm-model").readOnly).toBe(true);
    expect(input("llm-timeout").readOnly).toBe(true);
    expect(input("llm-enabled").disabled).toBe(true);
    expect(screen.getByTestId("llm-key-status").textContent).toContain("No key is stored.");
    for (const id of ["llm-save", "llm-api-key", "llm-key-save", "kb-reindex"]) expect(screen.queryByTestId(id)).toBeNull();
    expect(b.argsOf("llm_status")).toHaveLength(1);
  });
});

describe("settings: team server", () => {
  const local = { url: null, ca_path: null, from_env: false, connected: null };

  test("a desk connects to a team server: the desk checks it answers, saves it and restarts", async () => {
    const { b, user } = renderSettings("ana", (_, b) => {
      b.handle.team_server = () => local;
      b.handle.set_team_server = (args) => ({ ...local, url: args.url, ca_path: args.caPath });
    });
    await waitFor(() => expect(screen.getByTestId("team-server-status").textContent).toContain("its own database"));
    expect(screen.getByTestId("team-server-save")).toHaveProperty("disabled", true);
    await user.type(input("team-server-url"), "https://desk.example.com");
    await user.click(screen.getByTestId("team-server-save"));
    await waitFor(() => expect(screen.getByTestId("team-server-restarting").textContent).toContain("https://desk.example.com"));
    expect(b.argsOf("set_team_server")).toEqual([{ url: "https://desk.example.com", caPath: null }]);
    expect(input("team-server-url").readOnly).toBe(true);
  });

  test("a server that does not answer is not saved, and the desk says why", async () => {
    const { user } = renderSettings("ana", (_, b) => {
      b.handle.team_server = () => local;
      b.handle.set_team_server = () => Promise.reject({ kind: "offline", message: "The server did not answer, so nothing was saved: connection refused" });
    });
    await user.type(await screen.findByTestId("team-server-url"), "https://nowhere.example.com");
    await user.click(screen.getByTestId("team-server-save"));
    expect((await screen.findByTestId("team-server-error")).textContent).toContain("nothing was saved");
    expect(screen.queryByTestId("team-server-restarting")).toBeNull();
  });

  test("on a team server the desk says where drafts are configured and offers to go back", async () => {
    const { b, user } = renderSettings("ada", (_, b) => {
      b.status = { ...b.status, server: { url: "https://desk.example.com", online: true, last_error: null, since_ms: 0 } };
      b.handle.team_server = () => ({ url: "https://desk.example.com", ca_path: null, from_env: false, connected: "https://desk.example.com" });
      b.handle.set_team_server = (args) => ({ ...local, url: args.url });
    });
    await waitFor(() => expect(screen.getByTestId("team-server-status").textContent).toContain("desk.example.com"));
    expect(await screen.findByTestId("settings-drafts-on-server")).toBeTruthy();
    expect(b.argsOf("llm_status")).toHaveLength(0);
    await user.click(screen.getByTestId("team-server-disconnect"));
    await waitFor(() => expect(b.argsOf("set_team_server")).toEqual([{ url: null, caPath: null }]));
  });

  test("a server set in the environment is shown read only", async () => {
    renderSettings("ana", (_, b) => {
      b.handle.team_server = () => ({ url: "https://desk.example.com", ca_path: null, from_env: true, connected: "https://desk.example.com" });
    });
    expect(await screen.findByTestId("team-server-env")).toBeTruthy();
    expect(screen.queryByTestId("team-server-save")).toBeNull();
  });
});
