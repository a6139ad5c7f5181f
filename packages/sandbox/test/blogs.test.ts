import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallResult, type Clock, manualClock, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;
let clock: Clock;

beforeAll(async () => {
  clock = manualClock();
  ({ sb, api } = await start({ seed: 31, now: clock.now, rateLimit: { max: 10_000, windowMs: 1000 } }));
});
beforeEach(() => sb.reset());
afterAll(() => sb.close());

/** The answer must match the official (corrected) response schema of its status. */
function conforms(operation: string, r: CallResult) {
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, `${operation} ${r.status}`).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

const loc = () => sb.info.locationId;

interface Seeded {
  blogId: string;
  authors: string[];
  categories: string[];
}

async function seeded(): Promise<Seeded> {
  const blogs = await api(`/blogs/site/all?locationId=${loc()}&skip=0&limit=10`);
  const authors = await api(`/blogs/authors?locationId=${loc()}&limit=10&offset=0`);
  const categories = await api(`/blogs/categories?locationId=${loc()}&limit=10&offset=0`);
  return {
    blogId: blogs.body.data[0]._id,
    authors: authors.body.authors.map((a: { _id: string }) => a._id),
    categories: categories.body.categories.map((c: { _id: string }) => c._id),
  };
}

function postBody(s: Seeded, overrides: Record<string, unknown> = {}) {
  return {
    title: "Staging Tips That Sell",
    locationId: loc(),
    blogId: s.blogId,
    imageUrl: "https://images.example/staging.jpg",
    description: "Small changes, big offers.",
    rawHTML: "<p>Declutter first.</p>",
    status: "PUBLISHED",
    imageAltText: "A staged living room",
    categories: [s.categories[0]],
    tags: ["staging"],
    author: s.authors[0],
    urlSlug: "staging-tips-that-sell",
    publishedAt: "2025-05-01T10:00:00.000Z",
    ...overrides,
  };
}

async function createPost(s: Seeded, overrides: Record<string, unknown> = {}) {
  return api("/blogs/posts", { method: "POST", body: postBody(s, overrides) });
}

describe("blogs", () => {
  it("lists the seeded blog site, filtered by searchTerm, with skip/limit", async () => {
    const r = await api(`/blogs/site/all?locationId=${loc()}&skip=0&limit=10`);
    expect(r.status).toBe(200);
    conforms("get-blogs", r);
    expect(r.body.data).toEqual([{ _id: expect.any(String), name: "Demo Realty Blog" }]);
    expect(
      (await api(`/blogs/site/all?locationId=${loc()}&skip=0&limit=10&searchTerm=realty`)).body.data,
    ).toHaveLength(1);
    expect(
      (await api(`/blogs/site/all?locationId=${loc()}&skip=0&limit=10&searchTerm=harbor`)).body.data,
    ).toEqual([]);
    expect((await api(`/blogs/site/all?locationId=${loc()}&skip=1&limit=10`)).body.data).toEqual([]);
    const noLimit = await api(`/blogs/site/all?locationId=${loc()}&skip=0`);
    expect(noLimit.status).toBe(422);
    expect(noLimit.body.message).toContain("limit should not be empty");
  });

  it("lists posts newest first, filtered by status and searchTerm", async () => {
    const s = await seeded();
    const r = await api(`/blogs/posts/all?locationId=${loc()}&blogId=${s.blogId}&limit=10&offset=0`);
    expect(r.status).toBe(200);
    conforms("get-blog-post", r);
    expect(r.body.blogs.map((p: { status: string }) => p.status)).toEqual(["DRAFT", "PUBLISHED"]);
    expect(r.body.blogs[1]).toMatchObject({
      title: "Bay Area Market Update: Winter 2024",
      archived: false,
      categories: [s.categories[0]],
      author: s.authors[0],
      urlSlug: "bay-area-market-update-winter-2024",
      canonicalLink: "https://blog.demo-realty.example/post/bay-area-market-update-winter-2024",
    });

    const published = await api(
      `/blogs/posts/all?locationId=${loc()}&blogId=${s.blogId}&limit=10&offset=0&status=PUBLISHED`,
    );
    expect(published.body.blogs).toHaveLength(1);
    const search = await api(
      `/blogs/posts/all?locationId=${loc()}&blogId=${s.blogId}&limit=10&offset=0&searchTerm=OPEN%20HOUSE`,
    );
    expect(search.body.blogs.map((p: { urlSlug: string }) => p.urlSlug)).toEqual([
      "five-things-to-check-before-an-open-house",
    ]);
    const badStatus = await api(
      `/blogs/posts/all?locationId=${loc()}&blogId=${s.blogId}&limit=10&offset=0&status=LIVE`,
    );
    expect(badStatus.status).toBe(422);
    const unknownBlog = await api(`/blogs/posts/all?locationId=${loc()}&blogId=nosuchblog&limit=10&offset=0`);
    expect(unknownBlog.status).toBe(400);
    conforms("get-blog-post", unknownBlog);
  });

  it("pages posts with limit/offset across page boundaries", async () => {
    const s = await seeded();
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      expect((await createPost(s, { urlSlug: `post-${i}`, title: `Post ${i}` })).status).toBe(201);
    }
    const seen: string[] = [];
    let pages = 0;
    for (let offset = 0; ; offset += 3) {
      const r = await api(`/blogs/posts/all?locationId=${loc()}&blogId=${s.blogId}&limit=3&offset=${offset}`);
      conforms("get-blog-post", r);
      seen.push(...r.body.blogs.map((p: { _id: string }) => p._id));
      pages++;
      if (r.body.blogs.length < 3) break;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const all = await api(`/blogs/posts/all?locationId=${loc()}&blogId=${s.blogId}&limit=100&offset=0`);
    expect(seen).toEqual(all.body.blogs.map((p: { _id: string }) => p._id));
    expect(all.body.blogs[0].title).toBe("Post 4");
    const tooMany = await api(`/blogs/posts/all?locationId=${loc()}&blogId=${s.blogId}&limit=101&offset=0`);
    expect(tooMany.status).toBe(422);
  });

  it("pages authors and categories with limit/offset", async () => {
    for (const [path, key, op, names] of [
      ["/blogs/authors", "authors", "get-all-blog-authors-by-location", ["Alex Agent", "Jordan Rivera"]],
      [
        "/blogs/categories",
        "categories",
        "get-all-categories-by-location",
        ["Market Updates", "Home Buying Tips"],
      ],
    ] as const) {
      const seen: string[] = [];
      for (let offset = 0; ; offset += 1) {
        const r = await api(`${path}?locationId=${loc()}&limit=1&offset=${offset}`);
        expect(r.status).toBe(200);
        conforms(op, r);
        const page = r.body[key] as Array<{ name?: string; label?: string; locationId: string }>;
        expect(page.length).toBeLessThanOrEqual(1);
        for (const item of page) expect(item.locationId).toBe(loc());
        seen.push(...page.map((x) => x.name ?? x.label ?? ""));
        if (page.length < 1) break;
      }
      expect(seen).toEqual(names);
    }
    const cats = await api(`/blogs/categories?locationId=${loc()}&limit=10&offset=0`);
    expect(cats.body.categories[0]).toMatchObject({
      label: "Market Updates",
      urlSlug: "market-updates",
      canonicalLink: "https://blog.demo-realty.example/category/market-updates",
    });
    const noOffset = await api(`/blogs/authors?locationId=${loc()}&limit=10`);
    expect(noOffset.status).toBe(422);
  });

  it("answers whether a URL slug exists in the location", async () => {
    const s = await seeded();
    const slug = "bay-area-market-update-winter-2024";
    const yes = await api(`/blogs/posts/url-slug-exists?locationId=${loc()}&urlSlug=${slug}`);
    expect(yes.status).toBe(200);
    conforms("check-url-slug-exists", yes);
    expect(yes.body).toMatchObject({ exists: true });
    const no = await api(`/blogs/posts/url-slug-exists?locationId=${loc()}&urlSlug=brand-new`);
    conforms("check-url-slug-exists", no);
    expect(no.body.exists).toBe(false);
    // The post that owns the slug may keep it.
    const posts = await api(`/blogs/posts/all?locationId=${loc()}&blogId=${s.blogId}&limit=10&offset=0`);
    const owner = posts.body.blogs.find((p: { urlSlug: string }) => p.urlSlug === slug)._id;
    const own = await api(`/blogs/posts/url-slug-exists?locationId=${loc()}&urlSlug=${slug}&postId=${owner}`);
    expect(own.body.exists).toBe(false);
    // Slugs are per location.
    const otherToken = sb.createToken({ locationId: sb.info.otherLocationId });
    const elsewhere = await api(
      `/blogs/posts/url-slug-exists?locationId=${sb.info.otherLocationId}&urlSlug=${slug}`,
      { token: otherToken },
    );
    expect(elsewhere.body.exists).toBe(false);
  });

  it("creates a post (201) and updates it", async () => {
    const s = await seeded();
    const created = await createPost(s);
    expect(created.status).toBe(201);
    conforms("create-blog-post", created);
    const post = created.body.data;
    expect(post).toMatchObject({
      title: "Staging Tips That Sell",
      status: "PUBLISHED",
      archived: false,
      urlSlug: "staging-tips-that-sell",
      canonicalLink: "https://blog.demo-realty.example/post/staging-tips-that-sell",
      publishedAt: "2025-05-01T10:00:00.000Z",
      tags: ["staging"],
    });
    expect(post._id).toMatch(/^[0-9a-f]{24}$/);
    const exists = await api(
      `/blogs/posts/url-slug-exists?locationId=${loc()}&urlSlug=staging-tips-that-sell`,
    );
    expect(exists.body.exists).toBe(true);

    clock.advance(60_000);
    const updated = await api(`/blogs/posts/${post._id}`, {
      method: "PUT",
      body: postBody(s, {
        title: "Staging Tips That Sell (2025)",
        status: "ARCHIVED",
        categories: s.categories,
        author: s.authors[1],
        canonicalLink: "https://example.com/staging",
      }),
    });
    expect(updated.status).toBe(200);
    conforms("update-blog-post", updated);
    expect(updated.body.updatedBlogPost).toMatchObject({
      _id: post._id,
      title: "Staging Tips That Sell (2025)",
      status: "ARCHIVED",
      archived: true,
      categories: s.categories,
      author: s.authors[1],
      canonicalLink: "https://example.com/staging",
    });
    expect(updated.body.updatedBlogPost.updatedAt).not.toBe(post.updatedAt);
    const archived = await api(
      `/blogs/posts/all?locationId=${loc()}&blogId=${s.blogId}&limit=10&offset=0&status=ARCHIVED`,
    );
    expect(archived.body.blogs.map((p: { _id: string }) => p._id)).toEqual([post._id]);
  });

  it("refuses duplicate slugs, unknown references and invalid values", async () => {
    const s = await seeded();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ urlSlug: "Bay-Area-Market-Update-Winter-2024" }, 400, "URL slug already exists"],
      [{ author: "0123456789abcdef01234567" }, 400, "Author not found"],
      [{ categories: ["0123456789abcdef01234567"] }, 400, "Category 0123456789abcdef01234567 not found"],
      [{ blogId: "nosuchblog" }, 400, "Blog not found"],
    ];
    for (const [overrides, status, message] of cases) {
      const r = await createPost(s, overrides);
      expect(r.status, message).toBe(status);
      conforms("create-blog-post", r);
      expect(r.body.message).toBe(message);
    }
    const badDate = await createPost(s, { publishedAt: "someday" });
    expect(badDate.status).toBe(422);
    conforms("create-blog-post", badDate);
    const badStatus = await createPost(s, { status: "LIVE" });
    expect(badStatus.status).toBe(422);
    const { imageAltText: _, ...withoutAlt } = postBody(s);
    const missing = await api("/blogs/posts", { method: "POST", body: withoutAlt });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain("imageAltText should not be empty");

    // Updating: another post's slug is taken, the post's own is not; unknown posts are refused.
    const mine = (await createPost(s)).body.data._id;
    const taken = await api(`/blogs/posts/${mine}`, {
      method: "PUT",
      body: postBody(s, { urlSlug: "bay-area-market-update-winter-2024" }),
    });
    expect(taken.status).toBe(400);
    conforms("update-blog-post", taken);
    const same = await api(`/blogs/posts/${mine}`, {
      method: "PUT",
      body: postBody(s, { title: "Renamed" }),
    });
    expect(same.status).toBe(200);
    const unknown = await api("/blogs/posts/0123456789abcdef01234567", { method: "PUT", body: postBody(s) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe("Blog post not found");
  });

  it("refuses another location's blogs and posts", async () => {
    const s = await seeded();
    const other = sb.info.otherLocationId;
    const otherToken = sb.createToken({ locationId: other });
    const theirBlog = (
      await api(`/blogs/site/all?locationId=${other}&skip=0&limit=10`, { token: otherToken })
    ).body.data[0];
    expect(theirBlog.name).toBe("Harbor Homes Journal");
    expect(
      (await api(`/blogs/authors?locationId=${other}&limit=10&offset=0`, { token: otherToken })).body.authors,
    ).toEqual([]);

    const refused = [
      await api(`/blogs/site/all?locationId=${other}&skip=0&limit=10`),
      await api(`/blogs/posts/all?locationId=${other}&blogId=${theirBlog._id}&limit=10&offset=0`),
      await api(`/blogs/posts/url-slug-exists?locationId=${other}&urlSlug=x`),
      // Our location named, their blog used.
      await api(`/blogs/posts/all?locationId=${loc()}&blogId=${theirBlog._id}&limit=10&offset=0`),
      await createPost(s, { blogId: theirBlog._id }),
      // Their token on our blog and post.
      await api(`/blogs/posts/all?locationId=${other}&blogId=${s.blogId}&limit=10&offset=0`, {
        token: otherToken,
      }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.body.message).toBe("The token does not have access to this location.");
    }
    const ours = (await createPost(s)).body.data._id;
    const theirUpdate = await api(`/blogs/posts/${ours}`, {
      method: "PUT",
      token: otherToken,
      body: postBody(s, { locationId: other, blogId: theirBlog._id }),
    });
    expect(theirUpdate.status).toBe(403);
    // Blogs take location tokens only.
    const agency = await api(`/blogs/site/all?locationId=${loc()}&skip=0&limit=10`, {
      token: sb.info.agencyToken,
    });
    expect(agency.status).toBe(401);
  });
});
