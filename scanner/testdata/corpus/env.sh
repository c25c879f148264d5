#!/bin/sh
export AWS_ACCESS_KEY_ID="{{ID1}}"
export AWS_SECRET_ACCESS_KEY="{{SECRET1}}"
# placeholders are not keys
export AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX
export AWS_ACCESS_KEY_ID=<YOUR_ACCESS_KEY>
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID}
export OLD_KEY={{ID2}} # keysweep:allow
