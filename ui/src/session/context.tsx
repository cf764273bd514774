import { createContext, useContext, useMemo, type ReactNode } from "react";
import type { Actor, Permission, SessionInfo } from "../bindings";

export type SessionValue = {
  info: SessionInfo;
  actor: Actor;
  /** Who gets the desk back when this user signs out (a switch-user session). */
  previous: Actor | null;
  /** What the Rust side says this user may do: the window shows or hides by this only. */
  can: (p: Permission) => boolean;
};

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({
  info,
  previous,
  children,
}: {
  info: SessionInfo;
  previous: Actor | null;
  children: ReactNode;
}) {
  const value = useMemo<SessionValue>(() => {
    const granted = new Set(info.permissions);
    return { info, actor: info.actor, previous, can: (p) => granted.has(p) };
  }, [info, previous]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error("useSession outside a signed-in session");
  return v;
}
