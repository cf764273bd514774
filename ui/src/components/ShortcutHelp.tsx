import { useSession } from "../session/context";
import { shortcutsFor } from "../shortcuts";
import { Modal } from "./Modal";

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const { can } = useSession();
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} className="modal--help">
      <table className="shortcuts" data-testid="shortcut-help">
        <tbody>
          {shortcutsFor(can).map((s) => (
            <tr key={s.does}>
              <td className="shortcuts__keys">
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && <span className="shortcuts__sep">{s.keys[0] === "g" ? " then " : " or "}</span>}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </td>
              <td>{s.does}</td>
              <td className="shortcuts__where">{s.where}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">Shortcuts are off while you type in a field; Esc leaves the field.</p>
    </Modal>
  );
}
