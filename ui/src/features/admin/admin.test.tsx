import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { installBackend } from "../../test/backend";
import { DEMO_PASSWORD, rows } from "../../test/fixtures";
import { renderApp } from "../../test/render";

const rowOf = (username: string) => screen.getAllByTestId("user-row").find((r) => r.dataset.username === username)!;

describe("users screen", () => {
  test("lists every user with roles and active flag", async () => {
    installBackend(rows(1), { user: "ada" });
    renderApp({ view: "admin" });
    await screen.findByTestId("users-view");
    await waitFor(() => expect(screen.getAllByTestId("user-row").map((r) => r.dataset.username)).toEqual(["ana", "sam", "lee", "ada"]));
    const sam = rowOf("sam");
    expect(sam.textContent).toContain("Sam Supervisor");
    expect((within(sam).getByTestId("user-role-supervisor") as HTMLInputElement).checked).toBe(true);
    expect((within(sam).getByTestId("user-role-agent") as HTMLInputElement).checked).toBe(true);
    expect((within(sam).getByTestId("user-role-admin") as HTMLInputElement).checked).toBe(false);
    expect(rowOf("ada").textContent).toContain("(you)");
  });

  test("create a user: asks for the password first, then sends the NewUser", async () => {
    const b = installBackend(rows(1), { user: "ada" });
    b.failOnce.create_user = { kind: "step_up_required", message: "Confirm your password to do this." };
    const { user } = renderApp({ view: "admin" });
    await screen.findAllByTestId("user-row");
    await user.type(screen.getByTestId("new-user-username"), "tia");
    await user.type(screen.getByTestId("new-user-display-name"), "Tia Lead");
    await user.type(screen.getByTestId("new-user-password"), "s3cret-enough");
    await user.click(screen.getByTestId("new-user-role-agent")); // agent is ticked by default: untick
    await user.click(screen.getByTestId("new-user-role-team_lead"));
    await user.click(screen.getByTestId("new-user-submit"));
    await user.type(await screen.findByTestId("stepup-password"), `${DEMO_PASSWORD}{Enter}`);
    await waitFor(() => expect(b.argsOf("create_user")).toHaveLength(2));
    expect(b.argsOf("create_user")[1]).toEqual({ user: { username: "tia", display_name: "Tia Lead", password: "s3cret-enough", roles: ["team_lead"] } });
    await waitFor(() => expect(rowOf("tia")).toBeTruthy());
    expect((screen.getByTestId("new-user-username") as HTMLInputElement).value).toBe("");
  });

  test("the password hint says Rust's minimum length", async () => {
    const b = installBackend(rows(1), { user: "ada" });
    b.status.password_min = 12;
    renderApp({ view: "admin" });
    const form = await screen.findByTestId("new-user-form");
    await waitFor(() => expect(form.textContent).toContain("(at least 12 characters)"));
    expect(form.textContent).not.toContain("at least 8");
  });

  test("edit roles and active; a refusal from Rust shows inline on the row", async () => {
    const b = installBackend(rows(1), { user: "ada" });
    const { user } = renderApp({ view: "admin" });
    await screen.findAllByTestId("user-row");
    await user.click(within(rowOf("lee")).getByTestId("user-role-agent"));
    await user.click(within(rowOf("lee")).getByTestId("user-save"));
    await waitFor(() => expect(b.argsOf("update_user")).toEqual([{ userId: 3, roles: ["agent", "team_lead"], active: true }]));

    b.fail.update_user = { kind: "conflict", message: "This is the last active admin: make someone else admin first." };
    await user.click(within(rowOf("ada")).getByTestId("user-active"));
    await user.click(within(rowOf("ada")).getByTestId("user-save"));
    expect((await screen.findByTestId("user-error")).textContent).toContain("This is the last active admin");
    expect(b.argsOf("update_user").at(-1)).toEqual({ userId: 4, roles: ["admin"], active: false });
  });
});
