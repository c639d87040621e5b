#!/bin/sh
# Example 5: the predecessor's style, unchanged user data from the 2014 Go tool.
# `s3-user-script -b BUCKET` fetches BUCKET/<RoleName>/user-script (here
# demo-bucket/web-role/user-script) with the instance role, runs it, and exits with its
# status. -k '{{.Role}}/boot.sh' names another key, -u another S3 endpoint.
exec s3-user-script -b demo-bucket
