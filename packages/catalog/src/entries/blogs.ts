// Blogs: the location's blog sites, their posts, authors and categories (the seed's seven blog
// operations). The blog services name ids `_id`.
import { z } from "zod";
import { extendEntry, operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture, uniqueSuffix } from "../examples.ts";
import { dateTime, id, meta, text } from "../fields.ts";
import { fromSeed } from "../seed.ts";
import type { CatalogContext, CatalogEntry } from "../types.ts";
import { listSnapshot, sample } from "./locations.ts";

export const blogSource = { entry: "highlevel.blogs.list", value: "_id", label: "name" };
export const blogAuthorSource = { entry: "highlevel.blogs.authors.list", value: "_id", label: "name" };
export const blogCategorySource = { entry: "highlevel.blogs.categories.list", value: "_id", label: "label" };

const MAX_LIMIT = 100;
const STATUSES = ["DRAFT", "PUBLISHED", "SCHEDULED", "ARCHIVED"] as const;

type Doc = Record<string, unknown> & { _id: string };

async function firstItem(
  ctx: CatalogContext,
  op: string,
  params: Record<string, unknown>,
  key: string,
  what: string,
) {
  const r = (await ctx.client.callByKey(op, { locationId: ctx.locationId, ...params })) as Record<
    string,
    Doc[] | undefined
  >;
  const item = r[key]?.[0];
  if (!item) throw new Error(`the account has no ${what} to use in an example`);
  return item;
}

// --- example fixtures ---------------------------------------------------------------------
registerExampleFixture("blog", (ctx) => firstItem(ctx, "get-blogs", { skip: 0, limit: 1 }, "data", "blog"));
registerExampleFixture("blogAuthor", (ctx) =>
  firstItem(ctx, "get-all-blog-authors-by-location", { limit: 1, offset: 0 }, "authors", "blog author"),
);
registerExampleFixture("blogCategory", (ctx) =>
  firstItem(ctx, "get-all-categories-by-location", { limit: 1, offset: 0 }, "categories", "blog category"),
);
registerExampleFixture("blogPost", async (ctx, get) => {
  const blog = (await get("blog")) as Doc;
  const post = await firstItem(
    ctx,
    "get-blog-post",
    { blogId: blog._id, limit: 1, offset: 0 },
    "blogs",
    "blog post",
  );
  return { ...post, blogId: blog._id };
});
/** A draft post made for the example; with its blog id and content, which answers leave out. */
registerExampleFixture("scratchBlogPost", async (ctx, get) => {
  const [blog, author, category] = (await Promise.all([
    get("blog"),
    get("blogAuthor"),
    get("blogCategory"),
  ])) as Doc[];
  const s = uniqueSuffix(ctx);
  const body = {
    locationId: ctx.locationId,
    blogId: blog!._id,
    title: `Example post ${s}`,
    description: "A post made by an example.",
    imageUrl: "https://images.example.com/blog/example.jpg",
    imageAltText: "An example image",
    rawHTML: "<p>Example content.</p>",
    status: "DRAFT",
    categories: [category!._id],
    tags: ["example"],
    author: author!._id,
    urlSlug: `example-post-${s}`,
    publishedAt: new Date(ctx.now()).toISOString(),
  };
  const r = (await ctx.client.call("create-blog-post", undefined, body as never)) as { data: Doc };
  return { ...body, ...r.data };
});

/** A URL slug from a title: lowercase words joined by hyphens. */
export function slugify(title: string): string {
  return title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

const limitOffset = (defaultLimit: number) => ({
  limit: meta(z.coerce.number().int().min(1).max(MAX_LIMIT), { label: "Page size" }).default(defaultLimit),
  offset: meta(z.coerce.number().int().min(0), { label: "Offset" }).default(0),
});

/** Text values as a list or one comma-separated text (kept as written: blog tags keep their case). */
const textList = () =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => [
      ...new Set((Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean)),
    ]);

const postFields = {
  blogId: id("Blog", blogSource),
  title: text("Title"),
  description: text("Description", "A short summary shown in lists and previews."),
  rawHTML: text("Content (HTML)"),
  imageUrl: meta(z.url("Image URL must be a URL"), { label: "Image URL", format: "url" }),
  imageAltText: text("Image alt text"),
  status: meta(z.enum(STATUSES), { label: "Status" }),
  categories: meta(textList().pipe(z.array(z.string()).min(1, "give at least one category")), {
    label: "Categories",
    options: blogCategorySource,
    help: "Category ids: a list, or one comma-separated text.",
  }),
  tags: meta(textList(), { label: "Tags", help: "A list, or one comma-separated text." }).optional(),
  author: id("Author", blogAuthorSource),
  urlSlug: meta(
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "URL slug: lowercase words joined by hyphens"),
    {
      label: "URL slug",
    },
  ),
  canonicalLink: meta(z.url("Canonical link must be a URL"), {
    label: "Canonical link",
    format: "url",
  }).optional(),
  publishedAt: dateTime("Publish date"),
};

/** Creates may leave out the slug (made from the title) and the publish date (now). */
async function prepareCreate(ctx: CatalogContext, input: Record<string, unknown>) {
  return {
    ...input,
    urlSlug: input.urlSlug ?? slugify(String(input.title)),
    publishedAt: input.publishedAt ?? new Date(ctx.now()).toISOString(),
  };
}

export const blogEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- triggers (reads)
  operationTrigger({
    key: "highlevel.blogs.posts.slug-exists",
    ...fromSeed("Check Blog URL Slug"),
    help: "As a trigger it fires when the answer changes (the slug was taken or freed).",
    operation: "check-url-slug-exists",
    fields: {
      override: {
        urlSlug: text("URL slug"),
        postId: id(
          "Post",
          undefined,
          "A post whose own slug does not count as taken (when renaming it).",
        ).optional(),
      },
    },
    output: {
      description: "{exists}: whether a post of the location uses the slug.",
      sample: sample("check-url-slug-exists"),
    },
    example: { urlSlug: { $example: "blogPost.urlSlug" } },
    trigger: listSnapshot("check-url-slug-exists", { dedupe: "id+updated" }),
  }),
  operationTrigger({
    key: "highlevel.blogs.authors.list",
    ...fromSeed("Get Blog Authors"),
    operation: "get-all-blog-authors-by-location",
    fields: { override: limitOffset(MAX_LIMIT) },
    output: {
      description: "{authors}: each author's _id and name.",
      sample: sample("get-all-blog-authors-by-location"),
    },
    example: {},
    trigger: listSnapshot("get-all-blog-authors-by-location", { items: "authors", dedupe: "id" }),
  }),
  operationTrigger({
    key: "highlevel.blogs.categories.list",
    ...fromSeed("Get Blog Categories"),
    operation: "get-all-categories-by-location",
    fields: { override: limitOffset(MAX_LIMIT) },
    output: {
      description: "{categories}: each category's _id, label and URL slug.",
      sample: sample("get-all-categories-by-location"),
    },
    example: {},
    trigger: listSnapshot("get-all-categories-by-location", { items: "categories", dedupe: "id" }),
  }),
  operationTrigger({
    key: "highlevel.blogs.posts.list",
    ...fromSeed("Get Blog Posts"),
    help: "Newest first. As a trigger it fires once for each new post among the page asked for.",
    operation: "get-blog-post",
    fields: {
      override: {
        blogId: id("Blog", blogSource),
        searchTerm: text("Search text", "Matches the title.").optional(),
        status: meta(z.enum(STATUSES), { label: "Status" }).optional(),
        ...limitOffset(20),
      },
    },
    output: {
      description: "{blogs}: the blog's posts (HighLevel names the list `blogs`).",
      sample: sample("get-blog-post"),
    },
    example: { blogId: { $example: "blog._id" }, limit: 10 },
    trigger: listSnapshot("get-blog-post", { items: "blogs", dedupe: "id" }),
  }),
  operationTrigger({
    key: "highlevel.blogs.list",
    ...fromSeed("Get Blogs by Location"),
    operation: "get-blogs",
    fields: {
      override: {
        searchTerm: text("Search text", "Matches the blog's name.").optional(),
        skip: meta(z.coerce.number().int().min(0), { label: "Skip" }).default(0),
        limit: meta(z.coerce.number().int().min(1).max(MAX_LIMIT), { label: "Page size" }).default(MAX_LIMIT),
      },
    },
    output: { description: "{data}: each blog's _id and name.", sample: sample("get-blogs") },
    example: {},
    trigger: listSnapshot("get-blogs", { items: "data", dedupe: "id" }),
  }),

  // ---------------------------------------------------------------- actions
  (() => {
    const entry = operationAction({
      key: "highlevel.blogs.posts.create",
      ...fromSeed("Create Blog Post"),
      help: "The URL slug is made from the title when left empty, and the publish date is now. Slugs are unique in a location: a post with this slug is the one made.",
      operation: "create-blog-post",
      idempotency: "reconcilable",
      fields: {
        override: {
          ...postFields,
          status: postFields.status.default("DRAFT"),
          urlSlug: postFields.urlSlug.optional(),
          publishedAt: postFields.publishedAt.optional(),
        },
      },
      prepare: prepareCreate,
      output: { description: "{data}: the new post.", sample: sample("create-blog-post") },
      example: {
        blogId: { $example: "blog._id" },
        title: "Spring Open House Weekend",
        description: "Twelve homes open this Saturday and Sunday across the Bay Area.",
        rawHTML: "<h1>Spring Open House Weekend</h1><p>Twelve homes, two days.</p>",
        imageUrl: "https://images.example.com/blog/open-house-weekend.jpg",
        imageAltText: "A house with an open-house sign",
        status: "DRAFT",
        categories: [{ $example: "blogCategory._id" }],
        tags: ["open house", "spring"],
        author: { $example: "blogAuthor._id" },
        publishedAt: "2030-03-01T17:00:00Z",
      },
    });
    return extendEntry(entry, {
      operations: [...entry.operations, "get-blog-post"],
      // Slugs are unique in a location: a post of the blog with this slug is the one made.
      reconcile: async (ctx: CatalogContext, input: Record<string, unknown>) => {
        const slug = String(input.urlSlug ?? slugify(String(input.title)));
        const r = (await ctx.client.call("get-blog-post", {
          locationId: ctx.locationId,
          blogId: String(input.blogId),
          searchTerm: String(input.title),
          limit: MAX_LIMIT,
          offset: 0,
        })) as { blogs?: Doc[] };
        const post = r.blogs?.find((p) => p.urlSlug === slug);
        return post ? { data: post } : undefined;
      },
    });
  })(),
  operationAction({
    key: "highlevel.blogs.posts.update",
    ...fromSeed("Update Blog Post"),
    help: "Replaces the post: give every field, as for a new post.",
    operation: "update-blog-post",
    idempotency: "safe",
    fields: { override: { postId: id("Post"), ...postFields } },
    output: { description: "{updatedBlogPost}: the post now.", sample: sample("update-blog-post") },
    example: {
      postId: { $example: "scratchBlogPost._id" },
      blogId: { $example: "scratchBlogPost.blogId" },
      title: "Example post (updated)",
      description: { $example: "scratchBlogPost.description" },
      rawHTML: "<p>Updated example content.</p>",
      imageUrl: { $example: "scratchBlogPost.imageUrl" },
      imageAltText: { $example: "scratchBlogPost.imageAltText" },
      status: "PUBLISHED",
      categories: { $example: "scratchBlogPost.categories" },
      author: { $example: "scratchBlogPost.author" },
      urlSlug: { $example: "scratchBlogPost.urlSlug" },
      publishedAt: { $example: "scratchBlogPost.publishedAt" },
    },
  }),
];
