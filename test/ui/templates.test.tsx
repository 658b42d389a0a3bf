// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryTemplateLibrary } from '../../app/store/user-templates';
import { App } from '../../app/ui/App';
import { galleryTemplates, importTemplateFile, saveAsTemplate, templateFile } from '../../app/ui/library/template-actions';
import { StudioProvider } from '../../app/ui/studio-context';
import { builtinTemplates } from '../../app/templates';
import { registry } from '../../nodes';
import { createTestStore, paidWorkflow } from '../fixtures/studio-store';
import { fakeUiServices } from './render-studio';

afterEach(cleanup);

function renderApp(t = createTestStore(paidWorkflow(3)), library = new MemoryTemplateLibrary()) {
  const services = fakeUiServices({ templates: library });
  render(
    <StudioProvider store={t.store} services={services}>
      <App />
    </StudioProvider>,
  );
  return { ...t, library, services };
}

const paidFields = [
  { id: 'prompt', label: 'Prompt', target: { node: 'gen', param: 'prompt' } },
  { id: 'count', label: 'How many', target: { node: 'gen', param: 'maxImages' } },
];

describe('template actions', () => {
  it("lists the user's templates before the built-ins", async () => {
    const library = new MemoryTemplateLibrary();
    await saveAsTemplate(library, paidWorkflow(3), { name: 'Cats', fields: paidFields }, registry);
    const items = await galleryTemplates(library);
    expect(items.map((i) => i.key)).toEqual([expect.stringMatching(/^user:tpl-/), ...builtinTemplates.map((t) => `builtin:${t.id}`)]);
    expect(items[0]).toMatchObject({ title: 'Cats', fieldCount: 2, source: 'user' });
  });

  it('refuses a template without a name or with a field on a missing node, storing nothing', async () => {
    const library = new MemoryTemplateLibrary();
    const result = await saveAsTemplate(
      library,
      paidWorkflow(3),
      { name: ' ', fields: [{ id: 'x', label: 'X', target: { node: 'nope', param: 'p' } }] },
      registry,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.message)).toEqual([expect.stringMatching(/name/), expect.stringMatching(/"nope"/)]);
    expect(library.templates.size).toBe(0);
  });

  it('exports a template as a workflow file that imports back as the same template', async () => {
    const library = new MemoryTemplateLibrary();
    await saveAsTemplate(library, paidWorkflow(3), { name: 'Cats', description: 'Cat sets', fields: paidFields }, registry);
    const [mine] = await galleryTemplates(library);
    const exported = templateFile(mine!);
    expect(exported.name).toBe('Cats.json');
    const other = new MemoryTemplateLibrary();
    const { loaded, template } = await importTemplateFile(other, new File([await exported.blob.text()], exported.name), registry);
    expect(loaded.ok).toBe(true);
    expect(template).toMatchObject({ name: 'Cats', description: 'Cat sets' });
    expect((template!.workflow as { meta: { template: unknown } }).meta.template).toEqual({ fields: paidFields });
  });

  it('refuses to import a hostile file and stores nothing', async () => {
    const library = new MemoryTemplateLibrary();
    const { loaded, template } = await importTemplateFile(library, new File(['<img src=x onerror=alert(1)>'], 'x.json'), registry);
    expect(loaded.ok).toBe(false);
    expect(template).toBeUndefined();
    expect(library.templates.size).toBe(0);
  });
});

describe('templates in the editor', () => {
  it('uses a built-in template: fills the form, places the graph and runs it after the cost check', async () => {
    const t = renderApp();
    fireEvent.click(screen.getByTestId('templates-button'));
    const useButton = await screen.findByTestId('use-builtin:storyboard');
    await act(async () => void fireEvent.click(useButton));
    const form = await screen.findByTestId('use-template-form');
    expect(form.textContent).toContain('Reference 1');
    const story = screen.getByTestId('template-field-story').querySelector('textarea')!;
    fireEvent.change(story, { target: { value: 'Generate 2 images: a fox in snow, then in rain.' } });
    fireEvent.change(screen.getByTestId('template-field-maxImages').querySelector('input')!, { target: { value: '2' } });
    await act(async () => void fireEvent.click(screen.getByTestId('use-template-run')));
    // The canvas has a graph: it is replaced only when the user says so.
    expect(t.store.getState().workflow.meta.name).not.toBe('Storyboard from references');
    await act(async () => void fireEvent.click(screen.getByTestId('use-template-replace')));
    expect(screen.queryByTestId('use-template-form')).toBeNull();
    const wf = t.store.getState().workflow;
    expect(wf.meta.name).toBe('Storyboard from references');
    expect(wf.nodes.find((n) => n.id === 'story')?.params.text).toBe('Generate 2 images: a fox in snow, then in rain.');
    expect(wf.nodes.find((n) => n.id === 'gen')?.params.maxImages).toBe(2);
    await screen.findByTestId('cost-dialog');
    await act(async () => void fireEvent.click(screen.getByTestId('cost-confirm')));
    await waitFor(() => expect(t.api.calls).toHaveLength(1));
    expect(t.api.calls[0]!.request).toMatchObject({ prompt: 'Generate 2 images: a fox in snow, then in rain.', maxOutputs: 2, params: { maxImages: 2 } });
  });

  it('asks before "Place on canvas" replaces a graph, and can add the template beside it instead (issue 9, item 6)', async () => {
    const t = renderApp();
    const before = t.store.getState().workflow;
    fireEvent.click(screen.getByTestId('templates-button'));
    const useButton = await screen.findByTestId('use-builtin:storyboard');
    await act(async () => void fireEvent.click(useButton));
    await act(async () => void fireEvent.click(screen.getByTestId('use-template-place')));
    expect(screen.getByTestId('use-template-ask').textContent).toMatch(/The canvas has 4 nodes\. Replace them/);
    expect(t.store.getState().workflow).toBe(before);
    await act(async () => void fireEvent.click(screen.getByTestId('use-template-beside')));
    expect(screen.queryByTestId('use-template-form')).toBeNull();
    const after = t.store.getState().workflow;
    expect(after.nodes.slice(0, 4)).toEqual(before.nodes);
    expect(after.nodes.length).toBeGreaterThan(4);
    const rightOfOld = Math.max(...before.nodes.map((n) => n.position.x));
    expect(after.nodes.slice(4).every((n) => n.position.x > rightOfOld)).toBe(true);
    expect(t.api.calls).toHaveLength(0);
  });

  it('goes back to the form when the user does not want the canvas replaced', async () => {
    const t = renderApp();
    const before = t.store.getState().workflow;
    fireEvent.click(screen.getByTestId('templates-button'));
    const useButton = await screen.findByTestId('use-builtin:storyboard');
    await act(async () => void fireEvent.click(useButton));
    await act(async () => void fireEvent.click(screen.getByTestId('use-template-place')));
    await act(async () => void fireEvent.click(screen.getByText('Back')));
    expect(screen.getByTestId('use-template-place')).toBeTruthy();
    expect(t.store.getState().workflow).toBe(before);
  });

  it('saves the canvas as a template with the chosen fields, then offers it in the gallery', async () => {
    const t = renderApp();
    fireEvent.click(screen.getByTestId('save-template-button'));
    const dialog = await screen.findByTestId('save-template-dialog');
    // Images, prompts and Max images are suggested; the seed is not.
    expect((screen.getByTestId('template-pick-maxImages') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('template-pick-seed') as HTMLInputElement).checked).toBe(false);
    fireEvent.click(screen.getByTestId('template-pick-seed'));
    fireEvent.change(screen.getByTestId('template-name'), { target: { value: 'Cat set' } });
    await act(async () => void fireEvent.submit(dialog.querySelector('form')!));
    expect(screen.queryByTestId('save-template-dialog')).toBeNull();
    const [saved] = await t.library.list();
    expect(saved?.name).toBe('Cat set');
    const fields = (saved!.workflow as { meta: { template: { fields: { id: string }[] } } }).meta.template.fields.map((f) => f.id);
    expect(fields).toEqual(expect.arrayContaining(['a', 'b', 'prompt', 'maxImages', 'seed']));
    expect(t.store.getState().notice?.text).toMatch(/Saved template “Cat set”/);

    fireEvent.click(screen.getByTestId('templates-button'));
    const useButton = await screen.findByTestId(`use-user:${saved!.id}`);
    await act(async () => void fireEvent.click(useButton));
    expect(screen.getByTestId('template-field-seed')).toBeTruthy();
  });

  it('refuses a nameless template in the dialog and keeps it open', async () => {
    const t = renderApp();
    fireEvent.click(screen.getByTestId('save-template-button'));
    fireEvent.change(await screen.findByTestId('template-name'), { target: { value: '' } });
    await act(async () => void fireEvent.submit(screen.getByTestId('save-template-dialog').querySelector('form')!));
    expect(screen.getByTestId('save-template-errors').textContent).toMatch(/name/);
    expect(t.library.templates.size).toBe(0);
  });

  it('shows a field that points nowhere as a warning instead of a widget', async () => {
    const library = new MemoryTemplateLibrary();
    const wf = paidWorkflow(3);
    await library.put({
      v: 1,
      id: 'broken',
      name: 'Broken',
      createdAt: '2024-01-01T00:00:00Z',
      updatedAt: '2024-01-01T00:00:00Z',
      workflow: { ...wf, meta: { name: 'Broken', template: { fields: [{ id: 'gone', label: 'Gone', target: { node: 'missing', param: 'x' } }] } } },
    });
    renderApp(createTestStore(), library);
    fireEvent.click(screen.getByTestId('templates-button'));
    const useButton = await screen.findByTestId('use-user:broken');
    await act(async () => void fireEvent.click(useButton));
    expect(screen.getByTestId('template-field-gone').textContent).toMatch(/"missing".*not in the workflow/);
  });

  it('closes the gallery with Escape without stopping anything else', async () => {
    renderApp();
    fireEvent.click(screen.getByTestId('templates-button'));
    await screen.findByTestId('use-builtin:storyboard');
    fireEvent.keyDown(screen.getByTestId('template-gallery'), { key: 'Escape' });
    expect(screen.queryByTestId('template-gallery')).toBeNull();
  });
});
