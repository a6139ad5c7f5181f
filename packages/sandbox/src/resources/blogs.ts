// Blogs: a location's blog sites, their posts, and the location's authors and categories.
// Sites page with skip/limit (creation order); posts, authors and categories with
// limit/offset (posts newest first, the others in creation order).
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";

export interface BlogDoc {
  _id: string;
  id: string;
  locationId: string;
  name: string;
  /** Host of the site, for canonical links. */
  domain: string;
  createdAt: string;
}

export interface BlogAuthorDoc {
  _id: string;
  id: string;
  locationId: string;
  name: string;
  canonicalLink: string;
  updatedAt: string;
}

export interface BlogCategoryDoc {
  _id: string;
  id: string;
  locationId: string;
  label: string;
  urlSlug: string;
  canonicalLink: string;
  updatedAt: string;
}

export type BlogPostStatus = "DRAFT" | "PUBLISHED" | "SCHEDULED" | "ARCHIVED";

export interface BlogPostDoc {
  _id: string;
  id: string;
  locationId: string;
  blogId: string;
  title: string;
  description: string;
  imageUrl: string;
  imageAltText: string;
  rawHTML: string;
  status: BlogPostStatus;
  categories: string[];
  tags: string[];
  author: string;
  urlSlug: string;
  canonicalLink: string;
  publishedAt: string;
  createdAt: string;
  updatedAt: string;
}

const MAX_LIMIT = 100;

function postView(p: BlogPostDoc) {
  return {
    _id: p._id,
    title: p.title,
    description: p.description,
    imageUrl: p.imageUrl,
    imageAltText: p.imageAltText,
    status: p.status,
    archived: p.status === "ARCHIVED",
    categories: p.categories,
    tags: p.tags,
    author: p.author,
    urlSlug: p.urlSlug,
    canonicalLink: p.canonicalLink,
    publishedAt: p.publishedAt,
    updatedAt: p.updatedAt,
  };
}

function authorView(a: BlogAuthorDoc) {
  return {
    _id: a._id,
    name: a.name,
    locationId: a.locationId,
    updatedAt: a.updatedAt,
    canonicalLink: a.canonicalLink,
  };
}

function categoryView(c: BlogCategoryDoc) {
  return {
    _id: c._id,
    label: c.label,
    locationId: c.locationId,
    updatedAt: c.updatedAt,
    canonicalLink: c.canonicalLink,
    urlSlug: c.urlSlug,
  };
}

function intParam(v: unknown, name: string, min: number, max?: number): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw unprocessable([`${name} must be an integer number`]);
  if (n < min) throw unprocessable([`${name} must not be less than ${min}`]);
  if (max !== undefined && n > max) throw unprocessable([`${name} must not be greater than ${max}`]);
  return n;
}

/** limit/offset, both required by the spec (the server has already refused a missing one). */
function limitOffset<T>(ctx: HandlerContext, all: T[]): T[] {
  const limit = intParam(ctx.query.limit, "limit", 1, MAX_LIMIT);
  const offset = intParam(ctx.query.offset, "offset", 0);
  return all.slice(offset, offset + limit);
}

function text(v: unknown): string {
  return typeof v === "string" ? v.trim().toLowerCase() : "";
}

/** A blog of the location: 403 for another location's token, 400 when it is not this location's. */
function loadBlog(ctx: HandlerContext, blogId: string, locationId: string): BlogDoc {
  const blog = ctx.state.records.get<BlogDoc>("blog", blogId);
  if (!blog) throw badRequest("Blog not found");
  ctx.ensureLocation(blog.locationId);
  if (blog.locationId !== locationId) throw badRequest("Blog not found");
  return blog;
}

function slugTaken(state: State, locationId: string, slug: string, exceptPostId?: string): boolean {
  const wanted = slug.toLowerCase();
  return state.records
    .list<BlogPostDoc>("blog-post", { locationId })
    .some((p) => p._id !== exceptPostId && p.urlSlug.toLowerCase() === wanted);
}

/** Check the references and values of a create/update body; returns the post's new fields. */
function postFields(ctx: HandlerContext, b: Record<string, unknown>, exceptPostId?: string) {
  const locationId = String(b.locationId);
  const blog = loadBlog(ctx, String(b.blogId), locationId);
  const author = ctx.state.records.get<BlogAuthorDoc>("blog-author", String(b.author));
  if (!author || author.locationId !== locationId) throw badRequest("Author not found");
  const categories = (b.categories as string[]).map(String);
  for (const id of categories) {
    const c = ctx.state.records.get<BlogCategoryDoc>("blog-category", id);
    if (!c || c.locationId !== locationId) throw badRequest(`Category ${id} not found`);
  }
  const urlSlug = String(b.urlSlug).trim();
  if (!urlSlug) throw unprocessable(["urlSlug should not be empty"]);
  if (slugTaken(ctx.state, locationId, urlSlug, exceptPostId)) throw badRequest("URL slug already exists");
  const published = Date.parse(String(b.publishedAt));
  if (Number.isNaN(published)) throw unprocessable(["publishedAt must be a valid ISO 8601 date string"]);
  const canonical =
    typeof b.canonicalLink === "string" && b.canonicalLink.trim() ? b.canonicalLink.trim() : "";
  return {
    locationId,
    blogId: blog._id,
    title: String(b.title),
    description: String(b.description),
    imageUrl: String(b.imageUrl),
    imageAltText: String(b.imageAltText),
    rawHTML: String(b.rawHTML),
    status: b.status as BlogPostStatus,
    categories,
    tags: Array.isArray(b.tags) ? (b.tags as unknown[]).map(String) : [],
    author: author._id,
    urlSlug,
    canonicalLink: canonical || `https://${blog.domain}/post/${urlSlug}`,
    publishedAt: new Date(published).toISOString(),
  };
}

function createPost(ctx: HandlerContext) {
  const fields = postFields(ctx, ctx.body as Record<string, unknown>);
  const id = ctx.state.ids.hex(24);
  const now = isoNow(ctx.state);
  const post: BlogPostDoc = { _id: id, id, ...fields, createdAt: now, updatedAt: now };
  ctx.state.records.insert("blog-post", post, {
    locationId: post.locationId,
    parentId: post.blogId,
    sortMs: ctx.state.now(),
  });
  return { status: 201, body: { data: postView(post) } };
}

function updatePost(ctx: HandlerContext) {
  const post = ctx.state.records.get<BlogPostDoc>("blog-post", ctx.params.postId!);
  if (!post) throw badRequest("Blog post not found");
  ctx.ensureLocation(post.locationId);
  const b = ctx.body as Record<string, unknown>;
  if (b.locationId !== post.locationId) throw badRequest("Blog post not found");
  const updated: BlogPostDoc = { ...post, ...postFields(ctx, b, post._id), updatedAt: isoNow(ctx.state) };
  ctx.state.records.update("blog-post", updated);
  return { body: { updatedBlogPost: postView(updated) } };
}

export const blogHandlers: HandlerMap = {
  "get-blogs": (ctx) => {
    const skip = intParam(ctx.query.skip, "skip", 0);
    const limit = intParam(ctx.query.limit, "limit", 1, MAX_LIMIT);
    const term = text(ctx.query.searchTerm);
    const all = ctx.state.records
      .list<BlogDoc>("blog", { locationId: String(ctx.query.locationId) })
      .filter((b) => !term || b.name.toLowerCase().includes(term));
    return { body: { data: all.slice(skip, skip + limit).map((b) => ({ _id: b._id, name: b.name })) } };
  },
  "get-blog-post": (ctx) => {
    const q = ctx.query;
    const blog = loadBlog(ctx, String(q.blogId), String(q.locationId));
    const term = text(q.searchTerm);
    const all = ctx.state.records
      .list<BlogPostDoc>("blog-post", { parentId: blog._id })
      .reverse() // newest first
      .filter((p) => !q.status || p.status === q.status)
      .filter((p) => !term || p.title.toLowerCase().includes(term));
    return { body: { blogs: limitOffset(ctx, all).map(postView) } };
  },
  "get-all-blog-authors-by-location": (ctx) => {
    const all = ctx.state.records.list<BlogAuthorDoc>("blog-author", {
      locationId: String(ctx.query.locationId),
    });
    return { body: { authors: limitOffset(ctx, all).map(authorView) } };
  },
  "get-all-categories-by-location": (ctx) => {
    const all = ctx.state.records.list<BlogCategoryDoc>("blog-category", {
      locationId: String(ctx.query.locationId),
    });
    return { body: { categories: limitOffset(ctx, all).map(categoryView) } };
  },
  "check-url-slug-exists": (ctx) => {
    const q = ctx.query;
    const postId = typeof q.postId === "string" && q.postId ? q.postId : undefined;
    return { body: { exists: slugTaken(ctx.state, String(q.locationId), String(q.urlSlug).trim(), postId) } };
  },
  "create-blog-post": createPost,
  "update-blog-post": updatePost,
};

/** One blog site per location; the main location's has two authors, two categories and two posts. */
export function seedBlogs(state: State, locationId: string, otherLocationId: string, at: number): void {
  const { ids, records } = state;
  const iso = (ms: number) => new Date(ms).toISOString();
  const day = 86_400_000;
  const site = (loc: string, name: string, domain: string): BlogDoc => {
    const id = ids.id();
    const blog = { _id: id, id, locationId: loc, name, domain, createdAt: iso(at) };
    return records.insert("blog", blog, { locationId: loc, sortMs: at });
  };
  const blog = site(locationId, "Demo Realty Blog", "blog.demo-realty.example");
  site(otherLocationId, "Harbor Homes Journal", "blog.harbor-homes.example");

  const authors = ["Alex Agent", "Jordan Rivera"].map((name) => {
    const id = ids.hex(24);
    const slug = name.toLowerCase().replace(/\s+/g, "-");
    const doc: BlogAuthorDoc = {
      _id: id,
      id,
      locationId,
      name,
      canonicalLink: `https://${blog.domain}/author/${slug}`,
      updatedAt: iso(at),
    };
    return records.insert("blog-author", doc, { locationId, sortMs: at });
  });
  const categories = [
    ["Market Updates", "market-updates"],
    ["Home Buying Tips", "home-buying-tips"],
  ].map(([label, urlSlug]) => {
    const id = ids.hex(24);
    const doc: BlogCategoryDoc = {
      _id: id,
      id,
      locationId,
      label: label!,
      urlSlug: urlSlug!,
      canonicalLink: `https://${blog.domain}/category/${urlSlug}`,
      updatedAt: iso(at),
    };
    return records.insert("blog-category", doc, { locationId, sortMs: at });
  });

  const posts: Array<
    Omit<BlogPostDoc, "_id" | "id" | "locationId" | "blogId" | "canonicalLink" | "createdAt">
  > = [
    {
      title: "Bay Area Market Update: Winter 2024",
      description: "Inventory, prices and days on market across the Bay Area this winter.",
      imageUrl: "https://images.demo-realty.example/blog/winter-2024.jpg",
      imageAltText: "San Francisco skyline at dusk",
      rawHTML: "<h1>Bay Area Market Update</h1><p>Inventory is up 8% from last quarter.</p>",
      status: "PUBLISHED",
      categories: [categories[0]!._id],
      tags: ["market", "bay area"],
      author: authors[0]!._id,
      urlSlug: "bay-area-market-update-winter-2024",
      publishedAt: iso(at),
      updatedAt: iso(at),
    },
    {
      title: "Five Things to Check Before an Open House",
      description: "A short checklist for buyers visiting their first open house.",
      imageUrl: "https://images.demo-realty.example/blog/open-house.jpg",
      imageAltText: "Front porch of a Victorian house",
      rawHTML: "<h1>Five Things to Check</h1><ol><li>Water pressure</li><li>Windows</li></ol>",
      status: "DRAFT",
      categories: [categories[1]!._id],
      tags: ["buyers", "open house"],
      author: authors[1]!._id,
      urlSlug: "five-things-to-check-before-an-open-house",
      publishedAt: iso(at + day),
      updatedAt: iso(at + day),
    },
  ];
  posts.forEach((p, i) => {
    const id = ids.hex(24);
    const t = at + i * day;
    const doc: BlogPostDoc = {
      _id: id,
      id,
      locationId,
      blogId: blog._id,
      ...p,
      canonicalLink: `https://${blog.domain}/post/${p.urlSlug}`,
      createdAt: iso(t),
    };
    records.insert("blog-post", doc, { locationId, parentId: blog._id, sortMs: t });
  });
}
