import { Page } from "../ui/page";
import { ClientsSection, TagsSection, TasksSection } from "./projects/catalog-sections";
import { ProjectsSection } from "./projects/projects-section";

export function ProjectsScreen() {
  return (
    <Page title="Projects">
      <ProjectsSection />
      <TasksSection />
      <ClientsSection />
      <TagsSection />
    </Page>
  );
}
