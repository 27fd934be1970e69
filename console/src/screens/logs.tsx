import { Page } from "../ui/page";

export function LogsScreen() {
  return <Page title="Logs">{null}</Page>;
}
