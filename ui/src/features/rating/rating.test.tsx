import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, test } from "vitest";
import { installBackend } from "../../test/backend";
import { USERS, rating, ratingInput, rows } from "../../test/fixtures";
import { renderApp } from "../../test/render";

const click = (user: { click: (el: Element) => Promise<void> }, id: string) => user.click(screen.getByTestId(id));

describe("rating form", () => {
  test("sends exactly the RatingInput entered, with the right intent and the missing fields", async () => {
    const b = installBackend(rows(3), { user: "lee" });
    const { user } = renderApp({ openId: "hf_0000" });
    const form = await screen.findByTestId("rating-form");
    // tied to the bot that produced the handoff
    expect(within(form).getByTestId("rating-bot").textContent).toBe("Rating helpbot 2026.11.2");
    expect(screen.queryByTestId("rating-correct-intent")).toBeNull();

    await click(user, "rating-summary-partly");
    await click(user, "rating-intent-no");
    const correct = screen.getByTestId("rating-correct-intent") as HTMLInputElement;
    // the queue's intents are offered (not the bot's own)
    const options = Array.from(document.getElementById(correct.getAttribute("list")!)!.querySelectorAll("option")).map((o) => o.value);
    expect(options).toEqual(["order_status"]);
    await user.type(correct, " order_status ");
    await click(user, "rating-context-no");
    const missing = screen.getAllByTestId("rating-missing-field") as HTMLInputElement[];
    expect(missing.map((m) => m.value)).toEqual(["order_id", "amount", "currency"]); // the collected field names
    await user.click(missing[1]!);
    await user.type(screen.getByTestId("rating-missing-other"), "delivery_date,  photo , amount");
    await click(user, "rating-actions-no");
    await click(user, "rating-timing-too_late");
    await click(user, "rating-overall-2");
    await user.type(screen.getByTestId("rating-comment"), "Asked for the order twice.");
    await click(user, "rating-save");

    await waitFor(() => expect(b.argsOf("rate_handoff")).toHaveLength(1));
    expect(b.argsOf("rate_handoff")[0]).toEqual({
      handoffId: "hf_0000",
      input: {
        summary_accurate: "partly",
        intent_correct: false,
        correct_intent: "order_status",
        context_complete: false,
        missing_fields: ["amount", "delivery_date", "photo"],
        actions_reported: false,
        timing: "too_late",
        overall: 2,
        comment: "Asked for the order twice.",
      },
    });
    const saved = await screen.findByTestId("rating-saved");
    expect(saved.textContent).toContain("revision 1");

    // editing again is a new revision; the saved mark goes while there are unsaved changes
    await click(user, "rating-overall-3");
    expect(screen.queryByTestId("rating-saved")).toBeNull();
    expect(screen.getByTestId("rating-revision").textContent).toContain("unsaved changes");
    await click(user, "rating-save");
    await waitFor(() => expect(screen.getByTestId("rating-saved").textContent).toContain("revision 2"));
    expect((b.argsOf("rate_handoff")[1]!.input as { overall: number }).overall).toBe(3);
  });

  test("answers that do not apply are not sent; an incomplete form says what is missing", async () => {
    const b = installBackend(rows(1), { user: "lee" });
    const { user } = renderApp({ openId: "hf_0000" });
    await screen.findByTestId("rating-form");
    await click(user, "rating-intent-no");
    await user.type(screen.getByTestId("rating-correct-intent"), "order_status");
    await click(user, "rating-intent-yes"); // changed their mind
    await click(user, "rating-context-no");
    await user.click(screen.getAllByTestId("rating-missing-field")[0]!);
    await click(user, "rating-context-yes");
    await click(user, "rating-save");
    const todo = await screen.findByTestId("rating-incomplete");
    expect(todo.textContent).toBe("Still to answer: summary, actions, timing, overall.");
    expect(b.argsOf("rate_handoff")).toHaveLength(0);

    await click(user, "rating-summary-yes");
    await click(user, "rating-actions-yes");
    await click(user, "rating-timing-right");
    await click(user, "rating-overall-5");
    await click(user, "rating-save");
    await waitFor(() => expect(b.argsOf("rate_handoff")).toHaveLength(1));
    expect(b.argsOf("rate_handoff")[0]!.input).toEqual(
      ratingInput({ summary_accurate: "yes", overall: 5, timing: "right", correct_intent: null, missing_fields: [] }),
    );
  });

  test("arrow keys move within a question, not the queue", async () => {
    installBackend(rows(3), { user: "lee" });
    const { user } = renderApp({ openId: "hf_0000" });
    await screen.findByTestId("rating-form");
    await click(user, "rating-overall-3");
    await user.keyboard("{ArrowRight}");
    expect(screen.getByTestId("rating-overall-4").getAttribute("aria-checked")).toBe("true");
    expect(document.activeElement).toBe(screen.getByTestId("rating-overall-4"));
    expect(screen.getAllByTestId("queue-row").filter((r) => r.getAttribute("aria-selected") === "true").map((r) => r.dataset.handoffId)).toEqual(["hf_0000"]);
  });

  test("the user's own rating comes pre-filled with its revision; others' are read-only", async () => {
    const b = installBackend(rows(1), { user: "lee" });
    b.ratings = [
      rating(7, "hf_0000", USERS.lee!, {
        revision: 2,
        input: ratingInput({ summary_accurate: "no", intent_correct: false, correct_intent: "damaged_item", context_complete: false, missing_fields: ["amount", "photo"], overall: 2, comment: "Missed the photo." }),
      }),
      rating(8, "hf_0000", { user_id: 5, username: "tia", display_name: "Tia Lead", roles: ["team_lead"] }, { input: ratingInput({ overall: 4, comment: "Fine." }) }),
    ];
    const { user } = renderApp({ openId: "hf_0000" });
    const form = await screen.findByTestId("rating-form");
    await waitFor(() => expect(screen.getByTestId("rating-revision").textContent).toMatch(/revision 2 · edited 3 min ago/));
    expect(screen.getByTestId("rating-summary-no").getAttribute("aria-checked")).toBe("true");
    expect(screen.getByTestId("rating-intent-no").getAttribute("aria-checked")).toBe("true");
    expect((screen.getByTestId("rating-correct-intent") as HTMLInputElement).value).toBe("damaged_item");
    const checked = (screen.getAllByTestId("rating-missing-field") as HTMLInputElement[]).filter((c) => c.checked).map((c) => c.value);
    expect(checked).toEqual(["amount"]);
    expect((screen.getByTestId("rating-missing-other") as HTMLInputElement).value).toBe("photo");
    expect(screen.getByTestId("rating-overall-2").getAttribute("aria-checked")).toBe("true");
    expect((screen.getByTestId("rating-comment") as HTMLTextAreaElement).value).toBe("Missed the photo.");
    expect(within(form).getByRole("button", { name: "Save changes" })).toBeTruthy();

    const others = screen.getAllByTestId("other-rating");
    expect(others).toHaveLength(1);
    expect(others[0]!.textContent).toContain("Tia Lead");
    expect(others[0]!.textContent).toContain("4/5");
    expect(others[0]!.textContent).toContain("“Fine.”");
    expect(others[0]!.querySelector("button, input, textarea")).toBeNull();

    // saving unchanged answers sends them back as they were
    await user.click(screen.getByTestId("rating-save"));
    await waitFor(() => expect(b.argsOf("rate_handoff")).toHaveLength(1));
    expect(b.argsOf("rate_handoff")[0]!.input).toEqual(b.ratings.find((r) => r.id === 7)!.input);
  });

  test("u opens the next unrated handoff after the open one; at the end it says so", async () => {
    const b = installBackend(rows(5), { user: "lee" });
    b.nextUnrated = ["hf_0003", null];
    const { user } = renderApp({ openId: "hf_0001" });
    await screen.findByTestId("rating-form");
    await waitFor(() => expect(screen.getByTestId("intent-name")).toBeTruthy());
    await user.keyboard("u");
    await waitFor(() => expect(b.argsOf("next_unrated")).toEqual([{ afterSeq: 2 }])); // hf_0001 is seq 2
    await waitFor(() => expect(b.argsOf("get_handoff").at(-1)).toEqual({ handoffId: "hf_0003" }));
    await waitFor(() =>
      expect(screen.getAllByTestId("queue-row").find((r) => r.getAttribute("aria-selected") === "true")?.dataset.handoffId).toBe("hf_0003"),
    );
    await screen.findByTestId("rating-form");
    await user.keyboard("u");
    await waitFor(() => expect(b.argsOf("next_unrated").at(-1)).toEqual({ afterSeq: 4 }));
    expect((await screen.findByTestId("flash")).textContent).toContain("Nothing left to rate");
  });
});
