import { comfyInputFiles } from '../../graph/comfyui/import-comfy-workflow';
import type { Issue } from '../../graph/issues';
import type { NodeRegistry } from '../../graph/registry';
import type { Workflow } from '../../graph/workflow-schema';
import { templateFields } from '../../templates/template-fields';

/**
 * Issues as the command line says them. A node's own messages are written for the editor
 * ("Choose a file…"); here the same problem names the `--set` that fixes it. Matched by the
 * issue's code and node, so the node's browser wording stays its own.
 */
export interface CliIssues {
  /** The issue reworded for a terminal, or the same issue when the CLI has nothing better to say. */
  reword(issue: Issue): Issue;
  /**
   * Whether the terminal already heard it: a ComfyUI placeholder the run does not need was named
   * by the import report when the file was read. Such issues stay in the manifest.
   */
  alreadySaid(issue: Issue): boolean;
}

/** What to put after `=`: ComfyUI's file name when the node stood for one. */
const IMAGE_VALUE = 'file path or https URL';

/** Builds the rewording for one workflow (the one that runs: `--set` already applied). */
export function cliIssues(workflow: Workflow, registry: NodeRegistry): CliIssues {
  const comfyFiles = new Map(comfyInputFiles(workflow).map((f) => [f.node, f.file]));
  const fields = templateFields(workflow, registry).filter((f) => f.problem === undefined);
  const imported = workflow.meta.comfyui !== undefined;
  const kinds = new Map(workflow.nodes.map((n) => [n.id, n.kind]));
  return {
    alreadySaid: (issue) =>
      imported && issue.code === 'unknown-kind' && issue.severity === 'warning' && !!kinds.get(issue.nodeId ?? '')?.startsWith('comfyui.'),
    reword(issue) {
      if (issue.code !== 'image-missing' || issue.nodeId === undefined) return issue;
      const param = issue.field ?? 'image';
      const field = fields.find((f) => f.target.node === issue.nodeId && f.target.param === param);
      const file = comfyFiles.get(issue.nodeId);
      const flag = field ? `--set ${field.id}` : `--set ${issue.nodeId}.${param}`;
      const message = file
        ? `No image (ComfyUI used ${file}): give it with ${flag}=<path to ${file}, or an https URL>.`
        : `No image: give it with ${flag}=<${IMAGE_VALUE}>.`;
      return { ...issue, message };
    },
  };
}
