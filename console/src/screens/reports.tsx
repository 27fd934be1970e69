import { Page } from "../ui/page";

export function ReportsScreen() {
  return <Page title="Reports">{null}</Page>;
}
