import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveExample } from "../src/examples.ts";
import { getEntry, runEntry } from "../src/index.ts";
import { type Harness, startHarness } from "./helpers.ts";

describe("blog posts", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.sandbox.close();
  });

  it("Create Blog Post makes the slug from the title, dates it now, and reconciles by slug", async () => {
    const refs = await resolveExample(h.ctx, {
      blogId: { $example: "blog._id" },
      author: { $example: "blogAuthor._id" },
      category: { $example: "blogCategory._id" },
    });
    const entry = getEntry("highlevel.blogs.posts.create");
    const input = {
      blogId: refs.blogId,
      author: refs.author,
      categories: `${refs.category}`,
      tags: "Open House, Spring",
      title: "Élan & Style: 3 Homes to See!",
      description: "Three homes.",
      rawHTML: "<p>Three homes.</p>",
      imageUrl: "https://images.example.com/blog/three.jpg",
      imageAltText: "Three homes",
    };
    const before = Date.now();
    const out = (await runEntry(entry, h.ctx, input)) as {
      data: { _id: string; urlSlug: string; status: string; publishedAt: string; tags: string[] };
    };
    expect(out.data.urlSlug).toBe("elan-style-3-homes-to-see");
    expect(out.data.status).toBe("DRAFT");
    expect(out.data.tags).toEqual(["Open House", "Spring"]);
    expect(Date.parse(out.data.publishedAt)).toBeGreaterThanOrEqual(before - 1000);

    const slug = (await runEntry(getEntry("highlevel.blogs.posts.slug-exists"), h.ctx, {
      urlSlug: out.data.urlSlug,
    })) as { exists: boolean };
    expect(slug.exists).toBe(true);

    if (entry.kind !== "action") throw new Error("an action");
    const found = (await entry.reconcile?.(h.ctx, input)) as { data: { _id: string } };
    expect(found.data._id).toBe(out.data._id);
  });
});
