// Calls CAM GetUserAppId on the emulator with the official Tencent Cloud Node.js SDK, reaching it as a
// proxy so that the Host header and the signature's service are the real ones (cam.tencentcloudapi.com).
// Usage: node node_cam_call.js http://127.0.0.1:PORT   (credentials from TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY,
// and TENCENTCLOUD_SESSION_TOKEN for temporary credentials; REQ_METHOD=GET signs and sends a GET)
const tencentcloud = require("tencentcloud-sdk-nodejs");

const client = new tencentcloud.cam.v20190116.Client({
  credential: {
    secretId: process.env.TENCENTCLOUD_SECRET_ID,
    secretKey: process.env.TENCENTCLOUD_SECRET_KEY,
    token: process.env.TENCENTCLOUD_SESSION_TOKEN,
  },
  region: "",
  profile: { httpProfile: { protocol: "http://", proxy: process.argv[2], reqTimeout: 10, reqMethod: process.env.REQ_METHOD || "POST" } },
});

client.GetUserAppId({}).then(
  (res) => { console.log(JSON.stringify({ ok: true, ownerUin: res.OwnerUin })); },
  (err) => { console.log(JSON.stringify({ ok: false, code: err.code, message: String(err.message) })); },
);
