import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { installBackend } from "../test/backend";
import { DEMO_PASSWORD, rows } from "../test/fixtures";
import { renderApp } from "../test/render";

const currentUser = () => screen.getByTestId("current-user").textContent ?? "";

describe("sign-in", () => {
  test("nobody signed in: the sign-in screen; a demo account fills the form; signing in opens the desk", async () => {
    const b = installBackend(rows(3), { user: null });
    const { user } = renderApp();
    const name = await screen.findByTestId("signin-username");
    expect(screen.queryByTestId("queue-list")).toBeNull();
    expect(b.calls.some((c) => c.cmd === "queue_page")).toBe(false); // nothing is asked before sign-in
    const accounts = screen.getAllByTestId("demo-account");
    expect(accounts.map((a) => a.dataset.username)).toEqual(["ana", "sam", "lee", "ada"]);
    expect(screen.getByText(DEMO_PASSWORD)).toBeTruthy();

    await user.click(accounts[2]!);
    expect((name as HTMLInputElement).value).toBe("lee");
    expect((screen.getByTestId("signin-password") as HTMLInputElement).value).toBe(DEMO_PASSWORD);
    await user.click(screen.getByTestId("signin-submit"));
    await waitFor(() => expect(currentUser()).toContain("Lee Team-Lead"));
    expect(currentUser()).toContain("Team lead");
    expect(b.argsOf("sign_in")).toEqual([{ username: "lee", password: DEMO_PASSWORD, switchUser: false }]);
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(3));
  });

  test("wrong credentials: the message from Rust, the password cleared, still on the sign-in screen", async () => {
    const b = installBackend(rows(1), { user: null });
    const { user } = renderApp();
    await user.type(await screen.findByTestId("signin-username"), "ana");
    await user.type(screen.getByTestId("signin-password"), "nope{Enter}");
    const err = await screen.findByTestId("signin-error");
    expect(err.textContent).toContain("Wrong username or password.");
    expect(err.dataset.kind).toBe("wrong_credentials");
    expect((screen.getByTestId("signin-password") as HTMLInputElement).value).toBe("");
    expect(screen.queryByTestId("current-user")).toBeNull();
    expect(b.argsOf("sign_in")).toEqual([{ username: "ana", password: "nope", switchUser: false }]);
  });

  test("rate limited: says when to try again", async () => {
    const b = installBackend(rows(1), { user: null });
    b.fail.sign_in = { kind: "rate_limited", message: "Too many failed sign-ins for this user. Try again in 840 s." };
    const { user } = renderApp();
    await user.type(await screen.findByTestId("signin-username"), "ana");
    await user.type(screen.getByTestId("signin-password"), `${DEMO_PASSWORD}{Enter}`);
    const err = await screen.findByTestId("signin-error");
    expect(err.dataset.kind).toBe("rate_limited");
    expect(err.textContent).toContain("Try again in 840 s.");
  });

  test("a command answering unauthenticated brings back the sign-in screen", async () => {
    const b = installBackend(rows(2), { user: "ana" });
    renderApp();
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    // the session ended on the Rust side: the next command finds nobody signed in
    b.stack = [];
    b.fail.get_handoff = { kind: "unauthenticated", message: "Sign in first." };
    screen.getAllByTestId("queue-row")[1]!.click();
    await screen.findByTestId("signin-username");
    expect(b.calls.filter((c) => c.cmd === "get_handoff")).toHaveLength(1);
    expect(screen.queryByTestId("current-user")).toBeNull();
  });

  test("a real database with no users asks for the first admin account", async () => {
    const b = installBackend([], { user: null });
    b.status = { ...b.status, needs_first_admin: true, demo_accounts: [], demo_password: null };
    b.handle.create_first_admin = (args) => {
      b.status = { ...b.status, needs_first_admin: false };
      b.stack = [{ user_id: 9, username: "root", display_name: "Rita Root", roles: ["admin"] }];
      expect(args).toEqual({ user: { username: "root", display_name: "Rita Root", password: "long enough pw", roles: ["admin"] }, setupCode: null });
      return { current: { actor: b.stack[0]!, permissions: ["view_queue", "manage_users", "view_analytics"], stepped_up_until_ms: null }, previous: null };
    };
    const { user } = renderApp();
    const form = await screen.findByTestId("first-admin-form");
    expect(screen.queryByTestId("signin-username")).toBeNull();
    await user.type(within(form).getByTestId("first-admin-username"), "root");
    await user.type(within(form).getByTestId("first-admin-display-name"), "Rita Root");
    await user.type(within(form).getByTestId("first-admin-password"), "long enough pw");
    await user.type(within(form).getByTestId("first-admin-repeat"), "long enough px");
    expect(screen.getByText("The two passwords differ.")).toBeTruthy();
    expect((screen.getByTestId("first-admin-submit") as HTMLButtonElement).disabled).toBe(true);
    await user.clear(within(form).getByTestId("first-admin-repeat"));
    await user.type(within(form).getByTestId("first-admin-repeat"), "long enough pw");
    await user.click(screen.getByTestId("first-admin-submit"));
    await waitFor(() => expect(currentUser()).toContain("Rita Root"));
    expect(screen.getByTestId("nav-admin")).toBeTruthy();
  });

  test("switch user puts a supervisor on the agent's desk; signing out hands it back", async () => {
    const b = installBackend(rows(2), { user: "ana" });
    const { user } = renderApp();
    await waitFor(() => expect(currentUser()).toContain("Ana Agent"));
    expect(screen.getByTestId("sign-out").textContent).toBe("Sign out");
    await user.click(screen.getByTestId("switch-user"));
    const dialog = await screen.findByRole("dialog", { name: "Switch user" });
    // the current user is not offered
    expect(within(dialog).getAllByTestId("demo-account").map((a) => a.dataset.username)).toEqual(["sam", "lee", "ada"]);
    await user.type(within(dialog).getByTestId("signin-username"), "sam");
    await user.type(within(dialog).getByTestId("signin-password"), `${DEMO_PASSWORD}{Enter}`);
    await waitFor(() => expect(currentUser()).toContain("Sam Supervisor"));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(b.argsOf("sign_in").at(-1)).toEqual({ username: "sam", password: DEMO_PASSWORD, switchUser: true });
    expect(screen.getByTestId("sign-out").textContent).toBe("Hand back");
    expect(screen.getByTestId("sign-out").title).toContain("Ana Agent");
    // no switching again from a switched session: the desk has one owner to go back to
    expect(screen.queryByTestId("switch-user")).toBeNull();
    // the switched session shows that it is one, and for how long
    expect(screen.getByTestId("switched-session").textContent).toMatch(/[12]:\d\d/);

    await user.click(screen.getByTestId("sign-out"));
    await waitFor(() => expect(currentUser()).toContain("Ana Agent"));
    expect(screen.getByTestId("sign-out").textContent).toBe("Sign out");
    await user.click(screen.getByTestId("sign-out"));
    await screen.findByTestId("signin-username");
    expect(b.argsOf("sign_out")).toHaveLength(2);
  });

  test("an idle-locked session: the lock screen hides the desk; the password unlocks it where it was", async () => {
    const b = installBackend(rows(2), { user: "ana" });
    const { user } = renderApp();
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    // the Rust side locked the session: the next command answers `locked`
    b.locked = true;
    screen.getAllByTestId("queue-row")[0]!.click();
    await screen.findByTestId("lock-screen");
    expect(screen.queryByTestId("queue-list")).toBeNull();
    expect(screen.getByTestId("lock-screen").textContent).toContain("Ana Agent");

    await user.type(screen.getByTestId("unlock-password"), "nope{Enter}");
    expect((await screen.findByTestId("unlock-error")).textContent).toContain("Wrong username or password.");
    expect(screen.getByTestId("lock-screen")).toBeTruthy();

    await user.type(screen.getByTestId("unlock-password"), `${DEMO_PASSWORD}{Enter}`);
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    expect(screen.queryByTestId("lock-screen")).toBeNull();
    expect(currentUser()).toContain("Ana Agent");
    expect(b.argsOf("step_up").at(-1)).toEqual({ password: DEMO_PASSWORD });
  });

  test("the lock screen can sign out instead, for someone else to sign in", async () => {
    const b = installBackend(rows(1), { user: "ana" });
    const { user } = renderApp();
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(1));
    b.locked = true;
    screen.getAllByTestId("queue-row")[0]!.click();
    await user.click(await screen.findByTestId("lock-sign-out"));
    await screen.findByTestId("signin-username");
    expect(b.argsOf("sign_out")).toHaveLength(1);
  });
});

describe("what each role sees", () => {
  test("an agent: no analytics, users, import or rating form; can claim", async () => {
    installBackend(rows(2), { user: "ana" });
    const { user } = renderApp({ openId: "hf_0000" });
    await screen.findByTestId("conversation-summary");
    expect(screen.getByTestId("nav-desk")).toBeTruthy();
    expect(screen.queryByTestId("nav-analytics")).toBeNull();
    expect(screen.queryByTestId("nav-admin")).toBeNull();
    expect(screen.queryByTestId("open-import")).toBeNull();
    expect(screen.queryByTestId("rating-form")).toBeNull();
    expect(screen.queryByRole("complementary", { name: "Rating" })).toBeNull();
    expect(screen.getByTestId("claim-button")).toBeTruthy();
    // the keys for those screens do nothing either
    await user.keyboard("ga");
    await user.keyboard("gu");
    await user.keyboard("u");
    await user.keyboard("i");
    expect(screen.queryByTestId("analytics-view")).toBeNull();
    expect(screen.queryByTestId("users-view")).toBeNull();
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  test("a team lead: analytics and the rating form, no users screen and no claim button", async () => {
    installBackend(rows(2), { user: "lee" });
    const { user } = renderApp({ openId: "hf_0000" });
    await screen.findByTestId("rating-form");
    expect(screen.getByTestId("nav-analytics")).toBeTruthy();
    expect(screen.queryByTestId("nav-admin")).toBeNull();
    expect(screen.queryByTestId("claim-button")).toBeNull();
    await user.keyboard("ga");
    await screen.findByTestId("analytics-view");
    expect(screen.getByTestId("analytics-export-csv")).toBeTruthy();
  });

  test("a supervisor sees analytics but cannot export; an admin sees users", async () => {
    installBackend(rows(1), { user: "sam" });
    const { user, unmount } = renderApp();
    await user.click(await screen.findByTestId("nav-analytics"));
    await screen.findByTestId("analytics-rated-count");
    expect(screen.queryByTestId("analytics-export-csv")).toBeNull();
    expect(screen.queryByTestId("analytics-export-cases")).toBeNull();
    unmount();

    installBackend(rows(1), { user: "ada" });
    const r = renderApp();
    await r.user.click(await screen.findByTestId("nav-admin"));
    await screen.findByTestId("users-view");
  });
});
