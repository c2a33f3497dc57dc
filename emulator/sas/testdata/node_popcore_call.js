// Calls ListCloudVendorRegions on the Security Center emulator with Alibaba Cloud's Node.js POP core
// library (HMAC-SHA1 signature version 1.0), once as a GET with the parameters in the query and once as a
// POST with them in a form body.
// Usage: node node_popcore_call.js http://127.0.0.1:PORT   (key from ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET)
const Core = require("@alicloud/pop-core");

const client = new Core({
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  endpoint: process.argv[2],
  apiVersion: "2018-12-03",
});

async function call(method) {
  try {
    const res = await client.request("ListCloudVendorRegions", { Vendor: "Tencent" }, { method, timeout: 10000 });
    return { ok: true, count: res.Count };
  } catch (err) {
    return { ok: false, code: err.code, message: String(err.message) };
  }
}

(async () => {
  console.log(JSON.stringify({ get: await call("GET"), post: await call("POST") }));
})();
